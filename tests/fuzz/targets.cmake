# The libFuzzer targets, one tests/fuzz/<name>_fuzz.cc and tests/fuzz/corpus/<name>/ each.
set(GROVE_FUZZ_TARGETS config process exec_user annotations sync procfs netlink tar erofs_super
    erofs_roundtrip)
