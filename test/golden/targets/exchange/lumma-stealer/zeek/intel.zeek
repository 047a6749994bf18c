# huntpack: ThreatFox: Lumma Stealer IOCs (pack lumma-stealer)
# Load it from local.zeek (@load <path>/zeek/intel.zeek); hits are written to intel.log.
@load frameworks/intel/seen
@load frameworks/files/hash-all-files

redef Intel::read_files += { @DIR + "/intel.dat" };
