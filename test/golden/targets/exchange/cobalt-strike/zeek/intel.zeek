# huntpack: ThreatFox: Cobalt Strike IOCs (pack cobalt-strike)
# Load it from local.zeek (@load <path>/zeek/intel.zeek); hits are written to intel.log.
@load frameworks/intel/seen
@load frameworks/files/hash-all-files

redef Intel::read_files += { @DIR + "/intel.dat" };
