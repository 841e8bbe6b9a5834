# gen-evtype.awk - turn data/es_event_types.tsv into the C table that
# evtype.c includes.  Columns: value, name, kind, eslogger_name, macos_min.
# Rows must be in value order starting at 0, which is checked here so that
# evtype_by_value() can index the table directly.
BEGIN { FS = "\t"; n = 0 }
NR == 1 { next }
{
	if ($1 != n) {
		printf "gen-evtype.awk: line %d: value %s, expected %d\n", NR, $1, n > "/dev/stderr"
		exit 1
	}
	short = $2; sub(/^ES_EVENT_TYPE_/, "", short)
	kind = $3 == "auth" ? "EVTYPE_AUTH" : ($3 == "notify" ? "EVTYPE_NOTIFY" : "EVTYPE_RESERVED")
	esl = $4 == "-" ? "" : $4
	printf "\t{ %d, %s, \"%s\", \"%s\", \"%s\", \"%s\" },\n", $1, kind, short, $2, esl, $5
	n++
}
