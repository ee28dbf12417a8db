#!/bin/sh
# Run IDs and --trace.  For every example, under `pipec run` and as a built
# binary, the trace must be JSON lines in the promised order (start, a
# stage_open per stage, a stage_close per stage, end) whose counts agree with
# --stats=json of the same run, and whose start record names the script, its
# SHA-256 (as sha256sum computes it) and the parameters with their types.
# Then: fresh run IDs are UUIDv7 and differ, --run-id is honoured and checked,
# a runtime error has its error record and its diagnostic names the run, a
# reader closing the output early still gets an end record, an unwritable
# trace file is a usage error (one that fails later only warns), stderr
# without --trace is as before, and a built binary's --version shows the
# script's SHA-256.
top=$(cd "$(dirname "$0")/.." && pwd)
. "$top/tests/lib.sh"

if ! command -v python3 >/dev/null 2>&1; then
    suite_skipped trace "python3 is needed to read the JSON"
fi

# check_trace TRACE [key=value...]: the records of one run, in order; keys:
#   status=N       the end record's status (default 0)
#   outcome=X      the end record's outcome
#   stats=FILE     --stats=json of the same run: every stage's counts agree
#   script=PATH    the start record's script and script_sha256 (sha256sum of PATH)
#   run_id=ID      the run's ID (else: a UUIDv7)
#   params=JSON    the start record's params, exactly (types included)
#   error=STAGE    one error record, of that stage, before the stage_close records
#   imports=N      the start record lists N imported files, each with its sha256sum
#   input=, line=, value=, diagnostic=FILE   what the error record says (FILE: stderr)
cat >"$scratch/check_trace.py" <<'PY'
import hashlib, json, os, re, sys

path, args = sys.argv[1], dict(a.split("=", 1) for a in sys.argv[2:])
def die(msg):
    sys.exit("%s: %s" % (path, msg))
lines = open(path, "rb").read().split(b"\n")
if lines[-1] != b"":
    die("the last record does not end with a newline")
recs = []
for i, line in enumerate(lines[:-1]):
    try:
        r = json.loads(line.decode("utf-8"))
    except Exception as e:
        die("line %d is not JSON (%s): %r" % (i + 1, e, line[:200]))
    if not isinstance(r, dict):
        die("line %d is not an object" % (i + 1))
    recs.append(r)
if len(recs) < 2:
    die("fewer than two records")
start, end = recs[0], recs[-1]
if start["event"] != "start" or end["event"] != "end":
    die("not start ... end: %s ... %s" % (start["event"], end["event"]))
rid = start["run_id"]
if any(r.get("run_id") != rid for r in recs):
    die("records of other runs")
want_id = args.get("run_id")
if want_id:
    if rid != want_id:
        die("run_id %s, expected %s" % (rid, want_id))
elif not re.fullmatch(r"[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}", rid):
    die("run_id %r is not a lowercase UUIDv7" % rid)
for k in ("time", "pipec_version", "script", "script_sha256", "imports", "pipeline", "params", "user", "host", "pid"):
    if k not in start:
        die("start record without %s" % k)
if not re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z", start["time"]):
    die("time %r is not RFC 3339 UTC with ms" % start["time"])
if start["pid"] <= 0 or not start["host"]:
    die("no pid or host")
if "script" in args:
    if start["script"] != args["script"]:
        die("script %r, expected %r" % (start["script"], args["script"]))
    sha = hashlib.sha256(open(args["script"], "rb").read()).hexdigest()
    if start["script_sha256"] != sha:
        die("script_sha256 %s, sha256sum says %s" % (start["script_sha256"], sha))
if "params" in args:
    want = json.loads(args["params"])
    if start["params"] != want or [type(v) for v in start["params"].values()] != [type(v) for v in want.values()]:
        die("params %r, expected %r" % (start["params"], want))
if "imports" in args:
    imp = start["imports"]
    if len(imp) != int(args["imports"]):
        die("%d imports, expected %s" % (len(imp), args["imports"]))
    for f in imp:
        if f["sha256"] != hashlib.sha256(open(f["path"], "rb").read()).hexdigest():
            die("import %s: wrong sha256" % f["path"])
opens = [r for r in recs if r["event"] == "stage_open"]
n = len(opens)
if [r["event"] for r in recs[1:1 + n]] != ["stage_open"] * n:
    die("the stage_open records do not follow the start record")
if n == 0 and "error" not in args:  # only an error while the DAG is built leaves none
    die("no stage_open records")
if [r["id"] for r in opens] != list(range(n)):
    die("stage ids are not 0..%d in order" % (n - 1))
closes = [r for r in recs if r["event"] == "stage_close"]
if sorted(r["id"] for r in closes) != list(range(n)):
    die("not one stage_close per stage: %s" % [r["id"] for r in closes])
errs = [r for r in recs if r["event"] == "error"]
rest = [r["event"] for r in recs[1 + n:-1]]
if set(rest) - {"stage_close", "error"}:
    die("unexpected records: %s" % rest)
for r in closes:
    o = opens[r["id"]]
    if (r["stage"], r["pos"]) != (o["stage"], o["pos"]):
        die("stage %d closes as %s at %s" % (r["id"], r["stage"], r["pos"]))
    if r["end"] not in ("done", "closed", "aborted", "unused"):
        die("stage %d ends %r" % (r["id"], r["end"]))
# every stage gets what the stages feeding it sent (fan-out: each consumer all)
fed = [0] * n
for o in opens:
    for t in o["to"]:
        fed[t] += closes[[c["id"] for c in closes].index(o["id"])]["items_out"]
byid = {r["id"]: r for r in closes}
for o in opens:
    if o["kind"] != "source" and byid[o["id"]]["end"] == "done" and fed[o["id"]] != byid[o["id"]]["items_in"]:
        die("stage %d: %d items in, but %d were sent to it" % (o["id"], byid[o["id"]]["items_in"], fed[o["id"]]))
if "error" in args:
    if len(errs) != 1 or errs[0]["stage"] != args["error"]:
        die("expected one error record of stage %s, found %s" % (args["error"], errs))
    e = errs[0]
    if rest.index("error") != 0:
        die("the error record is not before the stage_close records")
    if e["id"] is not None and byid[e["id"]]["errors"] != 1:
        die("the failing stage does not count its error")
    for k in ("pos", "input", "line", "message", "diagnostic"):
        if k not in e:
            die("error record without %s" % k)
    for k in ("input", "line", "value"):
        if k in args and str(e[k]) != args[k]:
            die("error record: %s %r, expected %r" % (k, e[k], args[k]))
    if "diagnostic" in args and e["diagnostic"] != open(args["diagnostic"]).read().rstrip("\n"):
        die("error record: diagnostic %r is not what stderr shows" % e["diagnostic"])
    if "[run %s]" % rid not in e["diagnostic"]:
        die("the diagnostic does not name the run: %s" % e["diagnostic"])
elif errs:
    die("unexpected error records: %s" % errs)
if end["status"] != int(args.get("status", "0")):
    die("end status %s, expected %s" % (end["status"], args.get("status", "0")))
if "outcome" in args and end["outcome"] != args["outcome"]:
    die("outcome %s, expected %s" % (end["outcome"], args["outcome"]))
if not isinstance(end["duration_ms"], (int, float)) or end["duration_ms"] < 0:
    die("bad duration_ms")
srcs = [o["id"] for o in opens if o["kind"] == "source"]
sinks = [o["id"] for o in opens if o["kind"] == "sink"]
if end["items_read"] != sum(byid[i]["items_out"] for i in srcs):
    die("items_read %d is not what the sources emitted" % end["items_read"])
if end["items_written"] != sum(byid[i]["items_in"] for i in sinks):
    die("items_written %d is not what the sinks received" % end["items_written"])
if "stats" in args:
    st = json.load(open(args["stats"]))["stages"]
    if len(st) != n:
        die("%d stages in the trace, %d in --stats" % (n, len(st)))
    for s in st:
        c, o = byid[s["id"]], opens[s["id"]]
        if (o["stage"], o["pos"]) != (s["name"], "%s:%d:%d" % (s["file"], s["line"], s["col"])):
            die("stage %d is %s at %s, --stats says %s" % (s["id"], o["stage"], o["pos"], s["name"]))
        if (c["items_in"], c["items_out"]) != (s["items_in"], s["items_out"]):
            die("stage %d (%s): %d in, %d out; --stats says %d, %d"
                % (s["id"], s["name"], c["items_in"], c["items_out"], s["items_in"], s["items_out"]))
        if [t for t in o["to"]] != s["to"]:
            die("stage %d: edges %s, --stats says %s" % (s["id"], o["to"], s["to"]))
PY
ct() { python3 "$scratch/check_trace.py" "$@"; }
ct_in() { (cd "$1" && shift && ct "$@"); } # DIR TRACE [key=value...]: paths relative to DIR
field() { # FILE EVENT KEY: the value (a plain string or number) of KEY in the first EVENT record
    sed -n "/^{\"event\":\"$2\"/{s/.*[{,]\"$3\":\"\\{0,1\\}\\([^\",}]*\\).*/\\1/p;q;}" "$1"
}

# ------------------------------------------------------------------ every example, run and built
d=$top/examples
for script in "$d"/*.pipe; do
    example_case "$script" || continue
    imports=$(grep -cE '^(import|extern proc) ' "$script")
    # shellcheck disable=SC2086
    (cd "$work" && "$PIPEC" run "$name.pipe" --trace run.jsonl --stats=json $args <"$input" >run.out 2>run.json)
    check "$name: run output unchanged by --trace" cmp -s "$work/run.out" "$d/$name.out"
    check "$name: run trace" ct_in "$work" run.jsonl stats=run.json script="$name.pipe" imports="$imports"
    (cd "$work" && "$PIPEC" build "$name.pipe" -o prog) || { check "$name: build" false; continue; }
    # shellcheck disable=SC2086
    (cd "$work" && ./prog --stats=json --trace=bin.jsonl $args <"$input" >bin.out 2>bin.json)
    check "$name: binary output unchanged by --trace" cmp -s "$work/bin.out" "$d/$name.out"
    check "$name: binary trace" ct_in "$work" bin.jsonl stats=bin.json script="$name.pipe" imports="$imports"
    # the binary was built from the script pipec read: same path, same hash
    check "$name: binary and run name the same script" \
        [ "$(field "$work/bin.jsonl" start script_sha256)" = "$(field "$work/run.jsonl" start script_sha256)" ]
    sha=$(sha256sum "$work/$name.pipe" | cut -d' ' -f1)
    check "$name: binary --version shows the script's sha256" \
        sh -c "cd '$work' && ./prog --version | head -n 1 | grep -qx 'prog (pipec [0-9.]*) script $name.pipe sha256 $sha pipeline [a-z_]*'"
done

mkdir "$scratch/misc"
cd "$scratch/misc" || exit 2

# ------------------------------------------------------------------ parameters, with their types
cat >params.pipe <<'PIPE'
pipeline main(pattern: str = "ERROR", n: int = 10, ratio: float = 0.5, upper: bool = false, tag: str) {
    stdin | grep(pattern) | head(n) | map(s => if upper then upper(s) else s) | stdout
}
PIPE
printf 'ERROR a\nINFO b\n' | "$PIPEC" run params.pipe --tag 'q"\é' --n=3 --upper --trace p.jsonl >p.out
check "params: run trace" ct p.jsonl script=params.pipe \
    params='{"pattern": "ERROR", "n": 3, "ratio": 0.5, "upper": true, "tag": "q\"\\é"}'
"$PIPEC" build params.pipe -o params
printf 'ERROR a\n' | ./params --tag '' --ratio -2.25 --trace p2.jsonl >/dev/null
check "params: binary trace" ct p2.jsonl params='{"pattern": "ERROR", "n": 10, "ratio": -2.25, "upper": false, "tag": ""}'

# ------------------------------------------------------------------ run IDs
cat >id.pipe <<'PIPE'
pipeline main { stdin | to_int | map(n => n * 2) | stdout }
PIPE
"$PIPEC" build id.pipe -o id
printf '1\n' | "$PIPEC" run id.pipe --trace id1.jsonl >/dev/null
printf '1\n' | "$PIPEC" run id.pipe --trace id2.jsonl >/dev/null
printf '1\n' | ./id --trace id3.jsonl >/dev/null
check "run IDs: well-formed" ct id1.jsonl
id1=$(field id1.jsonl start run_id)
id2=$(field id2.jsonl start run_id)
id3=$(field id3.jsonl start run_id)
check "run IDs: unique across runs" [ "$(printf '%s\n' "$id1" "$id2" "$id3" | sort -u | grep -c .)" = 3 ]
uuid=0193b2c4-5e6f-7a8b-9c0d-1e2f3a4b5c6d
printf '1\n' | "$PIPEC" run id.pipe --run-id "$uuid" --trace rid.jsonl >/dev/null
check "--run-id: run" ct rid.jsonl run_id=$uuid
printf '1\n' | ./id --run-id=0193B2C4-5E6F-7A8B-9C0D-1E2F3A4B5C6D --trace rid2.jsonl >/dev/null
check "--run-id: binary, in lowercase" ct rid2.jsonl run_id=$uuid
for bad in xyz 0193b2c4-5e6f-7a8b-9c0d-1e2f3a4b5c6 0193b2c45e6f7a8b9c0d1e2f3a4b5c6d0000 ""; do
    printf '1\n' | ./id --run-id "$bad" --trace bad.jsonl >bad.out 2>bad.err
    check "--run-id '$bad': exit 2" [ $? -eq 2 ]
    check "--run-id '$bad': message and hint" sh -c "head -n 1 bad.err | grep -q \"^./id: error: .*'--run-id'\" && grep -q \"try './id --help'\" bad.err"
    check "--run-id '$bad': nothing run" [ ! -s bad.out ]
    check "--run-id '$bad': no trace file" [ ! -e bad.jsonl ]
done

# ------------------------------------------------------------------ a runtime error
printf '1\n2\nabc\n4\n' | "$PIPEC" run id.pipe --trace err.jsonl >err.out 2>err.err
check "error: exit 1" [ $? -eq 1 ]
check "error: run trace, the record naming input, line, value, diagnostic" ct err.jsonl status=1 outcome=error \
    error=to_int input=stdin line=3 value=abc diagnostic=err.err
rid=$(field err.jsonl start run_id)
check "error: stderr names the run" grep -qx "id.pipe:1:25: runtime error \[run $rid\] in stage to_int: not an integer: \"abc\" (input stdin, line 3)" err.err
check "error: what came before is written" [ "$(cat err.out)" = "$(printf '2\n4')" ]
printf '1\nabc\n' | ./id --trace err2.jsonl >/dev/null 2>err2.err
check "error: binary trace" ct err2.jsonl status=1 outcome=error error=to_int
check "error: binary stderr names the run" grep -q "runtime error \[run $(field err2.jsonl start run_id)\] in stage to_int" err2.err
# --run-id alone: the diagnostic names the run, no trace is written
printf 'abc\n' | ./id --run-id $uuid >/dev/null 2>rid.err
check "error: --run-id alone names the run" grep -q "runtime error \[run $uuid\] in stage to_int" rid.err
# without --trace and --run-id, messages are exactly as before
printf '1\nabc\n' | ./id >/dev/null 2>plain.err
check "error: stderr without --trace is unchanged" \
    [ "$(cat plain.err)" = 'id.pipe:1:25: runtime error in stage to_int: not an integer: "abc" (input stdin, line 2)' ]
printf '1\nabc\n' | "$PIPEC" run id.pipe >/dev/null 2>plain2.err
check "error: run's stderr without --trace is unchanged" cmp -s plain.err plain2.err
# an unreadable input: an error of the source
printf 'pipeline main { file("no/such.log") | stdout }\n' >nofile.pipe
"$PIPEC" run nofile.pipe --trace nofile.jsonl 2>nofile.err
check "error: unreadable input traced" ct nofile.jsonl status=1 error=file

# ------------------------------------------------------------------ a reader that closes early
seq 1 300000 | "$PIPEC" run id.pipe --trace head.jsonl 2>head.err | head -n 1 >head.out
check "head: the pipeline's output" [ "$(cat head.out)" = 2 ]
check "head: quiet" [ ! -s head.err ]
check "head: end record, status 0" ct head.jsonl status=0 outcome=output_closed
seq 1 300000 | ./id --trace head2.jsonl | head -n 1 >/dev/null
check "head: binary end record, status 0" ct head2.jsonl status=0 outcome=output_closed
# head(n) in the script closes its stage and stops the source
printf 'pipeline main { stdin | head(2) | stdout }\n' >h.pipe
seq 1 300000 | "$PIPEC" run h.pipe --trace h.jsonl >/dev/null
check "head(n): a whole trace" ct h.jsonl outcome=ok
check "head(n): stage closed, source stopped" [ "$(grep -c '"event":"stage_close".*"end":"closed"' h.jsonl)" = 2 ]

# ------------------------------------------------------------------ the trace file
"$PIPEC" run id.pipe --trace /nonexistent/dir/t.jsonl </dev/null >nt.out 2>nt.err
check "unwritable trace: exit 2" [ $? -eq 2 ]
check "unwritable trace: message" grep -q "error: cannot open the trace file '/nonexistent/dir/t.jsonl': No such file or directory" nt.err
check "unwritable trace: hint" grep -q "try 'pipec run id.pipe --help'" nt.err
mkdir ro
chmod 500 ro
if ! touch ro/x 2>/dev/null; then
    printf '1\n' | ./id --trace ro/t.jsonl >ro.out 2>ro.err
    check "read-only folder: exit 2" [ $? -eq 2 ]
    check "read-only folder: nothing run" [ ! -s ro.out ]
else
    echo "SKIP read-only folder: running as a user who may write anywhere"
fi
./id --trace . </dev/null 2>dir.err
check "a folder as the trace: exit 2" [ $? -eq 2 ]
# runs append to one trace file: records of each run stay whole and together
printf '1\n' | ./id --trace both.jsonl >/dev/null
printf '2\n' | ./id --trace both.jsonl >/dev/null
check "two runs append to one file" [ "$(grep -c '"event":"start"' both.jsonl) $(grep -c '"event":"end"' both.jsonl)" = "2 2" ]
head -n 10 both.jsonl >both1.jsonl
tail -n +11 both.jsonl >both2.jsonl
check "two runs: the first whole" ct both1.jsonl
check "two runs: the second whole" ct both2.jsonl
# a trace that cannot be written (a full disk): one warning, the run goes on
printf '1\n2\n' | ./id --trace /dev/full >full.out 2>full.err
check "full disk: the run goes on" [ $? -eq 0 ]
check "full disk: the output is whole" [ "$(cat full.out)" = "$(printf '2\n4')" ]
check "full disk: one warning" [ "$(grep -c "^pipec: warning \[run [0-9a-f-]*\]: cannot write the trace to '/dev/full': No space left on device$" full.err)" = 1 ]
# - is stderr
printf '5\n' | ./id --trace - >dash.out 2>dash.err
check "--trace -: stderr" ct dash.err
check "--trace -: stdout untouched" [ "$(cat dash.out)" = 10 ]

# a FIFO without a reader as the trace: the open that blocks ends at --timeout
# (exit 1), before anything runs
rm -f tfifo && mkfifo tfifo
for prog in "$PIPEC run id.pipe" ./id; do
    t0=$(date +%s%N)
    printf '1\n' | timeout -k 2 20 $prog --trace tfifo --timeout 1s >tf.out 2>tf.err
    rc=$?
    ms=$((($(date +%s%N) - t0) / 1000000))
    check "$prog: --trace to a FIFO: --timeout ends the open: exit 1 ($rc, $ms ms)" [ $rc -eq 1 -a $ms -lt 5000 ]
    check "$prog: --trace to a FIFO: --timeout: message" \
        grep -qx "pipec: runtime error: timed out after 1s (opening the trace file 'tfifo')" tf.err
    check "$prog: --trace to a FIFO: --timeout: nothing run" [ ! -s tf.out ]
done
# SIGINT and SIGTERM have outcomes of their own (stdin held open: the run
# waits; the signal is sent once the stages are traced)
if env --default-signal=INT,TERM true 2>/dev/null; then
    for prog in "$PIPEC run id.pipe" ./id; do
        for sig in INT TERM; do
            rm -f sig.jsonl
            want=130 outcome=interrupted
            [ $sig = TERM ] && want=143 outcome=terminated
            { sleep 30 | env --default-signal=INT,TERM $prog --trace sig.jsonl >/dev/null 2>&1 & echo $! >sig.pid; wait $!; echo $? >sig.rc; } &
            n=0
            while ! grep -q '"event":"stage_open"' sig.jsonl 2>/dev/null && [ $n -lt 100 ]; do sleep 0.1; n=$((n + 1)); done
            kill -$sig "$(cat sig.pid)"
            wait
            check "$prog: SIG$sig: exit $want ($(cat sig.rc))" [ "$(cat sig.rc)" = $want ]
            check "$prog: SIG$sig: the end record's outcome is $outcome" ct sig.jsonl status=$want outcome=$outcome
        done
    done
else
    echo "SKIP signals: env --default-signal is missing (coreutils >= 8.31)"
fi

# ------------------------------------------------------------------ --version
sha=$(sha256sum id.pipe | cut -d' ' -f1)
ver=$("$PIPEC" --version | cut -d' ' -f2)
check "binary --version" [ "$(./id --version)" = "id (pipec $ver) script id.pipe sha256 $sha pipeline main" ]
check "run --version" [ "$("$PIPEC" run id.pipe --version)" = "pipec run (pipec $ver) script id.pipe sha256 $sha pipeline main" ]
"$PIPEC" emit-c id.pipe -o id.c && cc -O2 -o id_c id.c -lpcre2-8 -lz -lm 2>/dev/null
check "emit-c program --version" [ "$(./id_c --version)" = "id_c (pipec $ver) script id.pipe sha256 $sha pipeline main" ]
cp "$top"/examples/import.pipe .
mkdir -p lib
cp "$top"/examples/lib/*.pipe lib/
"$PIPEC" build import.pipe -o imp
lsha=$(sha256sum lib/clean.pipe | cut -d' ' -f1)
check "--version lists imports" [ "$(./imp --version | tail -n 1)" = "  import lib/clean.pipe sha256 $lsha" ]

echo "trace: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
