# gen-mute.awk - turn the default mute set dumps (data/es_default_mute_set_*.jsonl,
# one JSON object per line with "path", "type" and "events") into the C
# tables defmute.c includes, one array per file, named after the macOS
# version in the file name (defmute_13_3_1, defmute_26).  The lines are
# flat objects with string values and one array of strings, so matching
# the three keys is enough; a line without them is an error.
function field(key,    s) {
	if (!match($0, "\"" key "\":\"[^\"]*\"")) {
		printf "gen-mute.awk: %s:%d: no \"%s\"\n", FILENAME, FNR, key > "/dev/stderr"
		bad = 1
		exit 1
	}
	s = substr($0, RSTART, RLENGTH)
	sub("^\"" key "\":\"", "", s)
	sub("\"$", "", s)
	return s
}
FNR == 1 {
	if (narrays++)
		print "};\n"
	name = FILENAME
	sub(/.*es_default_mute_set_/, "", name)
	sub(/\.jsonl$/, "", name)
	printf "static const struct defmute_entry defmute_%s[] = {\n", name
}
/^[ \t]*$/ { next }
{
	path = field("path")
	type = field("type")
	if (!match($0, /"events":\[[^]]*\]/)) {
		printf "gen-mute.awk: %s:%d: no \"events\"\n", FILENAME, FNR > "/dev/stderr"
		bad = 1
		exit 1
	}
	ev = substr($0, RSTART + 10, RLENGTH - 11)
	gsub(/"/, "", ev)
	gsub(/,/, " ", ev)
	target = type ~ /TARGET/ ? 1 : 0
	prefix = type ~ /PREFIX/ ? 1 : 0
	printf "\t{ \"%s\", %d, %d,\n\t  \"%s\" },\n", path, target, prefix, ev
}
END {
	if (!bad && narrays)
		print "};"
}
