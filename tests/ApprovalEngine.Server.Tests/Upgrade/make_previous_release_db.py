#!/usr/bin/env python3
"""Makes the upgrade fixture: a PostgreSQL database written by the previous release, with instances in flight.

Runs the previous release's server (a git worktree of RELEASE, built here) on a throwaway PostgreSQL 15, drives it over
HTTP with the development identities, stops it cleanly and pg_dumps the database into previous-release.sql[.gz] next
to this file, with previous-release.manifest.json (what was created, and what each instance waits for next).

Only the standard library: this runs on any machine that can run the tests (see make-previous-release-db.sh).
"""
import argparse
import datetime
import gzip
import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request

RELEASE = "800a92b"
SCHEDULER_NAME = "approval-engine"  # the server's default Engine:SchedulerName; the test must use the same
HERE = os.path.dirname(os.path.abspath(__file__))
PG_BIN = "/usr/lib/postgresql/15/bin"
SYSTEM_KEY = "dev-system-key"
# Every SLA timer in the dump is either due ten years out (so no test run ever sees it fire by accident) or, for the
# one instance created last, one minute after its task opened: due long before any test run, so it fires at start-up.
FAR = "P3650D"
SHORT_SLA = ("sample-approval", "csReview", "PT1M")
SLA_ACTIVITIES = {
    "crypto-coin-withdrawal": ["broadcastFailed"],
    "fiat-withdrawal": ["intercepted", "review", "exception", "reconException"],
    "sample-approval": ["csReview", "boReview"],
    "wd-request": ["cs_new", "cs_docs", "ret_cs", "dea_ret", "dea_cs", "dea_fwd", "bo_cs", "bo_ret", "bo_dea", "bo_fwd", "bo_approved"],
    "work-order-approval": ["firstApproval", "secondApproval"],
}


def log(message):
    print(f"[make-previous-release-db] {message}", flush=True)


def run(args, **kwargs):
    log("$ " + " ".join(args))
    return subprocess.run(args, check=True, **kwargs)


def as_postgres(args):
    return ["runuser", "-u", "postgres", "--", *args] if os.geteuid() == 0 else args


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for(what, probe, timeout=60.0):
    until = time.monotonic() + timeout
    while True:
        value = probe()
        if value:
            return value
        if time.monotonic() > until:
            raise SystemExit(f"timed out waiting for {what}")
        time.sleep(0.25)


class Api:
    def __init__(self, base):
        self.base = base
        self.tokens = {}

    def call(self, method, path, body=None, user="system", expect=(200, 201)):
        headers = {"content-type": "application/json"}
        if user == "system":
            headers["X-Api-Key"] = SYSTEM_KEY
        elif user is not None:
            headers["Authorization"] = "Bearer " + self.token(user)
        data = None if body is None else json.dumps(body).encode()
        request = urllib.request.Request(self.base + path, data=data, method=method, headers=headers)
        try:
            with urllib.request.urlopen(request, timeout=30) as response:
                status, text = response.status, response.read().decode()
        except urllib.error.HTTPError as e:
            status, text = e.code, e.read().decode()
        if expect is not None and status not in expect:
            raise SystemExit(f"{method} {path} as {user}: {status} {text}")
        return json.loads(text) if text else None

    def token(self, user):
        if user not in self.tokens:
            self.tokens[user] = self.call("POST", "/api/auth/token", {"username": user, "password": user}, user=None)["accessToken"]
        return self.tokens[user]

    def instance(self, instance_id):
        return self.call("GET", f"/api/instances/{instance_id}")

    def wd_act(self, user, wd_id, action, comment="checked", fee=None):
        body = {"action": action, "comment": comment}
        if fee is not None:
            body["fee"] = fee
        return self.call("POST", f"/api/wd-requests/{wd_id}/actions", body, user=user)


def open_task(api, instance_id, status=None):
    tasks = api.instance(instance_id)["openTasks"]
    return next((t for t in tasks if status is None or t["businessStatus"] == status), None)


def child_of(api, parent_id):
    page = api.call("GET", "/api/instances?definitionId=work-order-approval&pageSize=100")
    for summary in page["items"]:
        child = api.instance(summary["id"])
        if child["parentInstanceId"] == parent_id:
            return child
    return None


def drive(api):
    """Creates the instances in flight; returns the manifest's scenarios."""
    scenarios = {}

    # WD requests (CRM withdrawal): one sandbox trading account each, created by CS.
    def wd(name, open_trades=False):
        account, customer = f"TA-UPG-{name}", f"C-UPG-{name}"
        margin = 100 if open_trades else 0
        api.call("PUT", f"/api/sandbox/trading-accounts/{account}", {
            "customerId": customer, "currency": "USD", "balance": 10000, "equity": 10000, "margin": margin,
            "freeMargin": 10000 - margin, "credit": 0, "openTrades": 2 if open_trades else 0})
        card = api.call("POST", "/api/wd-requests", {
            "customerId": customer, "tradingAccount": account, "requestedAmount": 100, "currency": "USD",
            "comment": "Customer asked by phone"}, user="cs1")
        return card["id"], account

    wd_id, account = wd("new")
    scenarios["wdNew"] = {"definitionId": "wd-request", "id": wd_id, "tradingAccount": account, "requestedAmount": 100,
                          "balance": 10000, "status": "New", "department": "CS",
                          "next": ["cs1 PassToRetention", "retention1 PassToBackoffice", "bo1 Approve", "bo1 Complete -> Completed, ledger -100 once"]}

    wd_id, account = wd("retention", open_trades=True)
    api.wd_act("cs1", wd_id, "PassToRetention")
    card = api.wd_act("retention1", wd_id, "PassToDealing")
    assert (card["status"], card["department"]) == ("ApprovedByRetention", "Dealing"), card
    scenarios["wdApprovedByRetention"] = {"definitionId": "wd-request", "id": wd_id, "tradingAccount": account, "requestedAmount": 100,
                                          "balance": 10000, "status": "ApprovedByRetention", "department": "Dealing",
                                          "next": ["dealing1 PassToBackoffice", "bo1 Approve", "bo1 Complete -> Completed, ledger -100 once"]}

    wd_id, account = wd("dealing", open_trades=True)
    api.wd_act("cs1", wd_id, "PassToRetention")
    api.wd_act("retention1", wd_id, "PassToDealing")
    card = api.wd_act("dealing1", wd_id, "PassToBackoffice")
    assert (card["status"], card["department"]) == ("ApprovedByDealing", "Backoffice"), card
    scenarios["wdApprovedByDealing"] = {"definitionId": "wd-request", "id": wd_id, "tradingAccount": account, "requestedAmount": 100,
                                        "balance": 10000, "status": "ApprovedByDealing", "department": "Backoffice",
                                        "next": ["bo1 Approve", "bo1 Complete -> Completed, ledger -100 once"]}

    wd_id, account = wd("backoffice")
    api.wd_act("cs1", wd_id, "PassToRetention")
    api.wd_act("retention1", wd_id, "PassToBackoffice")
    card = api.wd_act("bo1", wd_id, "Approve", fee=2.5)
    drafts = sorted((t["paymentType"], t["amount"], t["status"]) for t in card["transactions"])
    assert card["status"] == "ApprovedByBackoffice" and drafts == [("CreditCard", 97.5, "Draft"), ("Fee", 2.5, "Draft")], card
    scenarios["wdApprovedByBackoffice"] = {"definitionId": "wd-request", "id": wd_id, "tradingAccount": account, "requestedAmount": 100,
                                           "fee": 2.5, "balance": 10000, "status": "ApprovedByBackoffice", "department": "Backoffice",
                                           "transactions": [{"paymentType": p, "amount": a, "status": s} for p, a, s in drafts],
                                           "next": ["bo1 Complete -> Completed, ledger -97.5 and -2.5 once"]}

    # Crypto coin withdrawal: a verified address in the sandbox wallet directory, then the system submits; the
    # work order (maker-checker sub-flow) waits for a checker. The maker is the operator named in requestedBy.
    api.call("POST", "/api/sandbox/wallets/SA-UPG-1/verified-addresses", {"coin": "BTC", "network": "BTC", "address": "bc1qupgradefixture"})
    started = api.call("POST", "/api/definitions/crypto-coin-withdrawal/instances", {
        "correlationId": "CW-UPG-1",
        "input": {"recordNo": "CW-UPG-1", "securitiesAccount": "SA-UPG-1", "coin": "BTC", "network": "BTC", "amount": 0.5,
                  "address": "bc1qupgradefixture", "requestedBy": "checker2"}})
    withdrawal = started["id"]
    order = wait_for("the coin withdrawal's work order", lambda: child_of(api, withdrawal))
    task = wait_for("the work-order task", lambda: open_task(api, order["id"], "Pending Approval"))
    assert api.instance(withdrawal)["businessStatus"] == "Pending Approval"
    scenarios["cryptoWithdrawal"] = {"definitionId": "crypto-coin-withdrawal", "id": withdrawal, "workOrderId": order["id"],
                                     "workOrderTaskId": task["id"], "maker": "checker2", "recordNo": "CW-UPG-1",
                                     "status": "Pending Approval", "requiredConfirmations": 3,
                                     "next": ["checker2 (the maker) is refused", "checker1 Approve", "broadcast -> txid",
                                              "BlockConfirmations 1..3 on the txid -> Completed"]}

    # Crypto deposit: waits for block confirmations; operators may cancel it meanwhile.
    started = api.call("POST", "/api/definitions/crypto-deposit/instances", {
        "correlationId": "CD-UPG-1",
        "input": {"recordNo": "CD-UPG-1", "securitiesAccount": "SA-UPG-1", "coin": "BTC", "network": "BTC", "amount": 0.25,
                  "txid": "dep-upgrade-fixture-1", "depositAddress": "bc1qplatformdeposit"}})
    deposit = started["id"]
    wait_for("the deposit's confirmation wait",
             lambda: any(w["kind"] == "Event" for w in api.instance(deposit)["waits"]) and open_task(api, deposit))
    instance = api.instance(deposit)
    scenarios["cryptoDeposit"] = {"definitionId": "crypto-deposit", "id": deposit, "txid": "dep-upgrade-fixture-1",
                                  "status": instance["businessStatus"], "requiredConfirmations": 3,
                                  "next": ["BlockConfirmations 1..3 on the txid", "an Operations person Close -> Completed (closed)"]}

    # Fiat withdrawal: the customer's first withdrawal goes to manual review.
    started = api.call("POST", "/api/definitions/fiat-withdrawal/instances", {
        "correlationId": "FW-UPG-1",
        "input": {"recordNo": "FW-UPG-1", "customerId": "FC-UPG-1", "channel": "ICBC-001-FPS", "currency": "HKD",
                  "amount": 1000, "bankAccount": "HK-UPG-0001"}})
    fiat = started["id"]
    task = wait_for("the fiat review task", lambda: open_task(api, fiat, "Pending Review"))
    scenarios["fiatWithdrawal"] = {"definitionId": "fiat-withdrawal", "id": fiat, "recordNo": "FW-UPG-1", "amount": 1000,
                                   "currency": "HKD", "status": "Pending Review", "taskId": task["id"],
                                   "next": ["checker1 Submit", "payout", "BankResult success", "BankStatementLine -> Completed"]}

    # Sample approval above the limit: CS approved it, Backoffice's task is open.
    started = api.call("POST", "/api/definitions/sample-approval/instances", {"correlationId": "SA-UPG-BO", "input": {"amount": 15000}})
    sample = started["id"]
    cs_task = open_task(api, sample, "InReview")
    api.call("POST", f"/api/tasks/{cs_task['id']}/complete", {"action": "Approve"}, user="cs1")
    task = open_task(api, sample, "ApprovedByCS")
    assert task is not None
    scenarios["sampleApproval"] = {"definitionId": "sample-approval", "id": sample, "amount": 15000, "status": "ApprovedByCS",
                                   "taskId": task["id"], "next": ["bo1 Approve -> Approved"]}

    # Last: the SLA timer that is due by the time anyone restores the dump. Nothing may run after it but the stop.
    started = api.call("POST", "/api/definitions/sample-approval/instances", {"correlationId": "SA-UPG-SLA", "input": {"amount": 500}})
    timed = started["id"]
    task = open_task(api, timed, "InReview")
    scenarios["slaTimer"] = {"definitionId": "sample-approval", "id": timed, "amount": 500, "status": "InReview",
                             "taskId": task["id"], "taskDueAt": task["dueAt"],
                             "next": ["the SLA timer fires at start-up (due 1 minute after creation): task overdue, priority raised",
                                      "cs1 Approve -> Approved"]}
    return scenarios


def check_short_timer(timer, scalar, stopped_at):
    bookmark, due_utc = scalar(f"SELECT id, due_at AT TIME ZONE 'UTC' FROM bookmarks WHERE instance_id = '{timer['id']}' AND due_at IS NOT NULL").split("|")
    due = datetime.datetime.fromisoformat(due_utc).replace(tzinfo=datetime.timezone.utc).isoformat().replace("+00:00", "Z")
    timer["bookmarkId"], timer["dueAt"] = bookmark, due
    timer["quartzTrigger"] = "timers.timer-" + bookmark.replace("-", "")
    if datetime.datetime.fromisoformat(due.replace("Z", "+00:00")) <= stopped_at:
        raise SystemExit(f"the short SLA timer was due ({due}) before the server stopped ({stopped_at}); run again")
    trigger = timer["quartzTrigger"].split(".", 1)[1]
    if scalar(f"SELECT count(*) FROM qrtz_triggers WHERE sched_name = '{SCHEDULER_NAME}' AND trigger_name = '{trigger}'") != "1":
        raise SystemExit("the short SLA timer's Quartz trigger is not stored")
    if scalar(f"SELECT count(*) FROM journal WHERE kind = 'TaskOverdue'") != "0":
        raise SystemExit("an SLA timer fired before the dump")


def drive_rules(api, restart):
    """Fixture of 6c74ccb (ADR 8, the release before issue 11): what the rules of the next release must handle in data
    stored before them — an outside call that moves money in flight, an event key in the old idempotency table, a wait
    for an event, instances with no recorded commands."""
    scenarios = {}
    # A deposit waiting for confirmations; its first confirmation was delivered with an idempotency key (stored in
    # idempotency_keys, the table the event inbox replaces): a retry of that key must stay a duplicate.
    started = api.call("POST", "/api/definitions/crypto-deposit/instances", {
        "correlationId": "CD-R11-1",
        "input": {"recordNo": "CD-R11-1", "securitiesAccount": "SA-R11-1", "coin": "BTC", "network": "BTC", "amount": 0.25,
                  "txid": "dep-r11-fixture-1", "depositAddress": "bc1qplatformdeposit"}})
    deposit = started["id"]
    wait_for("the deposit's confirmation wait",
             lambda: any(w["kind"] == "Event" for w in api.instance(deposit)["waits"]) and open_task(api, deposit))
    delivered = api.call("POST", "/api/events/BlockConfirmations", {"correlationId": "dep-r11-fixture-1", "payload": {"confirmations": 1},
                                                                      "idempotencyKey": "r11-confirmation-1"})
    assert delivered["resumed"] == 1, delivered
    wait_for("the deposit waiting again", lambda: any(w["kind"] == "Event" for w in api.instance(deposit)["waits"]))
    scenarios["depositWithEventKey"] = {"definitionId": "crypto-deposit", "id": deposit, "txid": "dep-r11-fixture-1",
                                        "eventKey": "r11-confirmation-1", "confirmations": 1, "requiredConfirmations": 3,
                                        "next": ["BlockConfirmations with key r11-confirmation-1 again -> duplicate, nothing changes",
                                                 "BlockConfirmations 2..3 -> credited"]}

    # A fiat withdrawal under review (first withdrawal of its customer).
    started = api.call("POST", "/api/definitions/fiat-withdrawal/instances", {
        "correlationId": "FW-R11-1",
        "input": {"recordNo": "FW-R11-1", "customerId": "FC-R11-1", "channel": "ICBC-001-FPS", "currency": "HKD",
                  "amount": 1000, "bankAccount": "HK-R11-0001"}})
    fiat = started["id"]
    task = wait_for("the fiat review task", lambda: open_task(api, fiat, "Pending Review"))

    # Restarted with no pollers and no inline runs: the payout the review submits is a Pending job row when the
    # server stops — a money movement in flight in the dump.
    api = restart({"Engine__RunJobsInline": "false", "Engine__RunPollers": "false"})
    api.call("POST", f"/api/tasks/{task['id']}/complete", {"action": "Submit"}, user="checker1")
    waits = api.instance(fiat)["waits"]
    job = next((w for w in waits if w["kind"] == "Job"), None)
    assert job is not None and job["activityId"] == "payout", waits
    scenarios["fiatPayoutInFlight"] = {"definitionId": "fiat-withdrawal", "id": fiat, "recordNo": "FW-R11-1", "amount": 1000,
                                       "currency": "HKD", "jobId": job["bookmarkId"],
                                       "next": ["supervisor1 cancels -> Cancelling while the payout is in flight",
                                                "the payout runs and succeeds late -> journaled, incident, Cancelled"]}
    return scenarios


DRIVERS = {"v1": drive, "rules": drive_rules}


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--repo", default=os.path.abspath(os.path.join(HERE, "..", "..", "..")), help="a checkout of this repository (for git worktree)")
    parser.add_argument("--prev", default=None, help="worktree of the previous release (default: <repo>/../prev-release-worktree, created if missing)")
    parser.add_argument("--out", default=HERE, help="where to write the dump and the manifest")
    parser.add_argument("--release", default=RELEASE, help="the commit whose server writes the database")
    parser.add_argument("--fixture", default="previous-release", help="file name stem of the dump and manifest")
    parser.add_argument("--driver", default="v1", choices=sorted(DRIVERS), help="which instances to leave in flight")
    args = parser.parse_args()

    prev = args.prev or os.path.join(os.path.dirname(args.repo), f"release-{args.release}-worktree")
    if not os.path.isdir(prev):
        run(["git", "-C", args.repo, "worktree", "add", "--detach", prev, args.release])
    head = subprocess.run(["git", "-C", prev, "rev-parse", "HEAD"], check=True, capture_output=True, text=True).stdout.strip()
    release = subprocess.run(["git", "-C", prev, "rev-parse", args.release], check=True, capture_output=True, text=True).stdout.strip()
    if head != release:
        raise SystemExit(f"{prev} is at {head}, not the release {args.release}")
    run(["dotnet", "build", os.path.join(prev, "src", "ApprovalEngine.Server"), "-c", "Release", "-p:SkipDesignerBuild=true", "-v", "q", "-nologo"])
    server_dir = os.path.join(prev, "src", "ApprovalEngine.Server")
    server_dll = os.path.join(server_dir, "bin", "Release", "net10.0", "ApprovalEngine.Server.dll")

    work = tempfile.mkdtemp(prefix="ae-prev-release-")
    data = os.path.join(work, "data")
    pg_port, http_port = free_port(), free_port()
    server = None
    try:
        if os.geteuid() == 0:
            run(["chown", "-R", "postgres:", work])
        run(as_postgres([f"{PG_BIN}/initdb", "-D", data, "-U", "postgres", "--auth=trust", "-E", "UTF8", "--locale=C", "--no-sync"]), stdout=subprocess.DEVNULL)
        run(as_postgres([f"{PG_BIN}/pg_ctl", "-D", data, "-l", os.path.join(work, "pg.log"), "-w", "-o",
                         f"-c listen_addresses=127.0.0.1 -p {pg_port} -k {work} -c fsync=off", "start"]), stdout=subprocess.DEVNULL)
        psql = ["psql", "-h", "127.0.0.1", "-p", str(pg_port), "-U", "postgres", "-v", "ON_ERROR_STOP=1", "-qAt"]
        run([*psql, "-d", "postgres", "-c", "CREATE DATABASE approval"])

        env = dict(os.environ,
                   ASPNETCORE_ENVIRONMENT="Development",
                   ASPNETCORE_URLS=f"http://127.0.0.1:{http_port}",
                   Database__Provider="Postgres",
                   ConnectionStrings__ApprovalEngine=f"Host=127.0.0.1;Port={pg_port};Database=approval;Username=postgres",
                   Engine__SchedulerName=SCHEDULER_NAME)
        for definition, activities in SLA_ACTIVITIES.items():
            for activity in activities:
                env[f"Sla__{definition}__{activity}"] = FAR
        env[f"Sla__{SHORT_SLA[0]}__{SHORT_SLA[1]}"] = SHORT_SLA[2]
        server_log = open(os.path.join(work, "server.log"), "w")

        def start(extra):
            log(f"starting the release's server on 127.0.0.1:{http_port} {extra or ''} (log: {server_log.name})")
            process = subprocess.Popen(["dotnet", server_dll, "--urls", f"http://127.0.0.1:{http_port}"], cwd=server_dir, env=dict(env, **extra),
                                       stdout=server_log, stderr=subprocess.STDOUT)
            client = Api(f"http://127.0.0.1:{http_port}")

            def ready():
                if process.poll() is not None:
                    raise SystemExit(f"the server exited with {process.returncode}; see {server_log.name}")
                try:
                    return client.call("GET", "/api/definitions") is not None
                except (urllib.error.URLError, ConnectionError):
                    return False
            wait_for("the server", ready, timeout=120)
            return process, client

        server, api = start({})

        def restart(extra):
            nonlocal server
            server.terminate()
            server.wait(timeout=60)
            server, client = start(extra)
            return client

        scenarios = drive(api) if args.driver == "v1" else DRIVERS[args.driver](api, restart)
        stopped_at = datetime.datetime.now(datetime.timezone.utc)
        server.terminate()  # SIGTERM: a clean shutdown; Quartz stops with its triggers stored
        server.wait(timeout=60)
        server = None
        def scalar(sql):
            return subprocess.run([*psql, "-d", "approval", "-c", sql], check=True, capture_output=True, text=True).stdout.strip()
        if "slaTimer" in scenarios:
            check_short_timer(scenarios["slaTimer"], scalar, stopped_at)
        counts = {table: int(scalar(f"SELECT count(*) FROM {table}"))
                  for table in ["instances", "tasks", "journal", "bookmarks", "jobs", "idempotency_keys", "definition_versions", "definitions",
                                "qrtz_triggers", "wd_requests", "sandbox_trading_accounts", "sandbox_balance_operations", "schema_migrations"]}
        versions = dict(line.split("|") for line in scalar("SELECT definition_id, max(version) FROM definition_versions GROUP BY definition_id ORDER BY 1").splitlines())

        dump = subprocess.run([f"{PG_BIN}/pg_dump", "-h", "127.0.0.1", "-p", str(pg_port), "-U", "postgres", "-d", "approval",
                               "--no-owner", "--no-privileges", "--inserts", "--format=plain"], check=True, capture_output=True).stdout
        for name in [f"{args.fixture}.sql", f"{args.fixture}.sql.gz"]:
            if os.path.exists(os.path.join(args.out, name)):
                os.remove(os.path.join(args.out, name))
        if len(dump) > 1_000_000:
            target = os.path.join(args.out, f"{args.fixture}.sql.gz")
            with open(target, "wb") as f:
                f.write(gzip.compress(dump, mtime=0))
        else:
            target = os.path.join(args.out, f"{args.fixture}.sql")
            with open(target, "wb") as f:
                f.write(dump)
        manifest = {
            "release": release,
            "generatedAt": stopped_at.isoformat(timespec="seconds"),
            "generator": f"tests/ApprovalEngine.Server.Tests/Upgrade/make-previous-release-db.sh --release {args.release} --fixture {args.fixture} --driver {args.driver}",
            "dump": os.path.basename(target),
            "schedulerName": SCHEDULER_NAME,
            "counts": counts,
            "definitionVersions": {k: int(v) for k, v in versions.items()},
            "scenarios": scenarios,
        }
        with open(os.path.join(args.out, f"{args.fixture}.manifest.json"), "w") as f:
            json.dump(manifest, f, indent=2)
            f.write("\n")
        log(f"wrote {target} ({os.path.getsize(target)} bytes) and {args.fixture}.manifest.json")
    except BaseException:
        for name in ["server.log", "pg.log"]:
            path = os.path.join(work, name)
            if os.path.exists(path):
                with open(path) as f:
                    log(f"--- tail of {name} ---\n" + "".join(f.readlines()[-40:]))
        raise
    finally:
        if server is not None:
            server.kill()
            server.wait()
        if os.path.exists(os.path.join(data, "postmaster.pid")):
            subprocess.run(as_postgres([f"{PG_BIN}/pg_ctl", "-D", data, "-m", "immediate", "-w", "stop"]), stdout=subprocess.DEVNULL)
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
