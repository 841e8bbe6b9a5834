# replay-model.sh - the model replay-bench.sh and big-bench.sh replay
# their traces through, sourced by them:
#
#	replay_model NAME DURATION STORE MODE KIND...
#
# prints a model named NAME, DURATION long, of three ES clients (a, b, c)
# subscribed to AUTH_ KIND (open, exec, ...), each with a short handler
# that one time in ten calls a daemon (trustd, four workers), whose
# workload replays the trace store STORE in MODE (closed or open) with
# the NOTIFY events of the KINDs replayed as AUTH (as_auth).
replay_model() {
	name=$1 duration=$2 store=$3 rmode=$4
	shift 4
	subscribe= as_auth=
	for k in "$@"; do
		subscribe="$subscribe${subscribe:+, }\"AUTH_$(echo "$k" |
		    tr '[:lower:]' '[:upper:]')\""
		as_auth="$as_auth${as_auth:+, }\"$k\""
	done
	cat <<JSON
{ "essim": 1, "name": "$name", "duration": "$duration",
  "daemons": { "trustd": { "workers": 4,
    "services": { "eval": [ { "cpu": { "exp": "200us" } } ] } } },
  "clients": {
JSON
	for c in a b c; do
		cat <<JSON
    "$c": { "subscribe": [$subscribe],
      "handler": { "default": [ { "cpu": { "exp": "20us" } },
        { "if": { "p": 0.1 }, "then": [ { "call": "trustd.eval" } ] },
        { "respond": "allow" } ] } }$( [ $c = c ] || echo , )
JSON
	done
	cat <<JSON
  },
  "workload": { "trace": { "file": "$store", "mode": "$rmode",
    "as_auth": [$as_auth] } } }
JSON
}
