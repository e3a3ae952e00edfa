#!/usr/bin/python3
"""Profiles a bench's page in the app's webview through WebKitGTK's remote inspector.

A developer tool, run by hand inside the test desktop:

    TOKDECK_PROFILE_DIR=/tmp/prof scripts/with-desktop.sh cargo test -p tokdeck --features e2e \
        --test e2e -- --ignored --nocapture calendar_bench::
    scripts/with-desktop.sh scripts/webkit-profile.py /tmp/prof [app binary]

The bench keeps its data in the folder and writes `replay.json` there (a setup script and the
measured script with their arguments). This script starts the app (a debug build: its webview
allows the inspector) over that data with `WEBKIT_INSPECTOR_HTTP_SERVER`, runs the setup, then
records the measured script with WebKit's JavaScript sampling profiler, and prints where the
script time went: the functions by own and total samples. (WebKit's timeline, which would split
style, layout and paint, answered every record with time 0 here.) WebDriver cannot drive the
app meanwhile: both go through the inspector. `PROFILE_PRELUDE` runs a script on the page
before the measured one (a style overridden, a probe); `PROFILE_LINES` sets how many functions
are listed.

Build the UI with `TOKDECK_UI_UNMINIFIED=1 npm run build` to see the functions' own names.
Needs the `websocket-client` Python package (`pip install websocket-client`).
"""

import collections
import json
import os
import socket
import subprocess
import sys
import time
import urllib.request

import websocket


def page_socket(port):
    """The first inspectable page's WebSocket, from the server's target list."""
    deadline = time.time() + 120
    while time.time() < deadline:
        try:
            html = urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=2).read().decode()
            marker = "/socket/"
            if marker in html:
                path = html.split(marker, 1)[1].split("'", 1)[0]
                return f"ws://127.0.0.1:{port}{marker}{path}"
        except OSError:
            pass
        time.sleep(0.5)
    sys.exit("no inspectable page: is the app running with WEBKIT_INSPECTOR_HTTP_SERVER?")


class Inspector:
    def __init__(self, url):
        self.ws = websocket.create_connection(url)
        self.ws.settimeout(1)
        self.target = None
        self.n = 0
        self.events = []
        while self.target is None:
            self.pump()

    def pump(self):
        try:
            m = json.loads(self.ws.recv())
        except websocket.WebSocketTimeoutException:
            return
        if m.get("method") == "Target.targetCreated":
            self.target = m["params"]["targetInfo"]["targetId"]
        elif m.get("method") == "Target.dispatchMessageFromTarget":
            self.events.append(json.loads(m["params"]["message"]))

    def send(self, method, params=None):
        self.n += 1
        inner = json.dumps({"id": self.n, "method": method, "params": params or {}})
        self.ws.send(
            json.dumps(
                {
                    "id": 100000 + self.n,
                    "method": "Target.sendMessageToTarget",
                    "params": {"targetId": self.target, "message": inner},
                }
            )
        )


def frame_name(f):
    url = f.get("url", "").rsplit("/", 1)[-1]
    return f"{f.get('name') or '(anonymous)'} {url}:{f.get('line')}:{f.get('column')}"


def samples_report(traces, limit):
    own = collections.Counter()
    total = collections.Counter()
    for t in traces:
        frames = t.get("stackFrames", [])
        if not frames:
            continue
        own[frame_name(frames[0])] += 1
        for name in {frame_name(f) for f in frames}:
            total[name] += 1
    print(f"script samples: {len(traces)}")
    print("by own samples:")
    for name, c in own.most_common(limit):
        print(f"  {c:6}  {name}")
    print("by total samples (with callees):")
    for name, c in total.most_common(limit):
        print(f"  {c:6}  {name}")


def evaluate(insp, expr):
    """Runs `expr` in the page and answers its value (waits for the answer)."""
    insp.send("Runtime.evaluate", {"expression": expr, "returnByValue": True})
    want = insp.n
    deadline = time.time() + 30
    while time.time() < deadline:
        for e in insp.events:
            if e.get("id") == want:
                insp.events.remove(e)
                return e.get("result", {}).get("result", {}).get("value")
        insp.pump()
    sys.exit(f"no answer to {expr[:60]}")


def run_script(insp, body, args):
    """Runs a bench script (`arguments` = args + a done callback) and answers what it gave."""
    expr = (
        "window.__profiled = undefined; (function () {" + body + "}).apply(null, "
        + json.dumps(args)
        + ".concat([(v) => { window.__profiled = { v }; }]));"
    )
    evaluate(insp, expr)
    while True:
        got = evaluate(insp, "window.__profiled")
        if got is not None:
            return got.get("v")
        time.sleep(0.2)


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def main():
    folder = sys.argv[1]
    binary = sys.argv[2] if len(sys.argv) > 2 else "target/debug/tokdeck"
    limit = int(os.environ.get("PROFILE_LINES", "30"))
    with open(os.path.join(folder, "replay.json")) as f:
        replay = json.load(f)
    port = free_port()
    env = dict(
        os.environ,
        TOKDECK_DATA_DIR=os.path.join(folder, "data"),
        TOKDECK_KEYCHAIN_SERVICE="tokdeck-e2e",
        WEBKIT_INSPECTOR_HTTP_SERVER=f"127.0.0.1:{port}",
    )
    app = subprocess.Popen([binary], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        insp = Inspector(page_socket(port))
        while not evaluate(insp, "!!document.querySelector('[data-testid=app-ready]')"):
            time.sleep(0.2)
        if replay.get("setup"):
            print("setup:", run_script(insp, replay["setup"], replay.get("setup_args", [])))
        # An experiment on the page before it is measured (a style overridden, say).
        if os.environ.get("PROFILE_PRELUDE"):
            print("prelude:", evaluate(insp, os.environ["PROFILE_PRELUDE"]))
        insp.send("ScriptProfiler.startTracking", {"includeSamples": True})
        result = run_script(insp, replay["script"], replay.get("args", []))
        insp.send("ScriptProfiler.stopTracking")
        deadline = time.time() + 20
        while time.time() < deadline and not any(
            e.get("method") == "ScriptProfiler.trackingComplete" for e in insp.events
        ):
            insp.pump()
    finally:
        app.terminate()
        app.wait()
    print("measured:", json.dumps(result)[:2000])
    traces = [
        t
        for e in insp.events
        if e.get("method") == "ScriptProfiler.trackingComplete"
        for t in e["params"].get("samples", {}).get("stackTraces", [])
    ]
    samples_report(traces, limit)
    with open(os.path.join(folder, "profile.json"), "w") as out:
        json.dump({"traces": traces}, out)


if __name__ == "__main__":
    main()
