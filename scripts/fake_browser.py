#!/usr/bin/python3
"""A stand-in for the system browser in end-to-end tests (CI has no browser). Registered as the
x-scheme-handler for http/https in a throwaway XDG config, so `xdg-open URL` from Tokdeck lands
here. It behaves like a browser whose TikTok session has already consented (the test arranges
that through the simulator's control API): it follows redirects, and hands a redirect to a
non-web scheme (tokdeck://) back to the OS with xdg-open, as real browsers do.
Every URL it visits is appended to $TOKDECK_FAKE_BROWSER_LOG (query strings dropped)."""
import os
import subprocess
import sys
import urllib.error
import urllib.request
from urllib.parse import urljoin, urlsplit


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


def log(line):
    path = os.environ.get("TOKDECK_FAKE_BROWSER_LOG")
    if path:
        with open(path, "a", encoding="utf-8") as f:
            f.write(line + "\n")


def visit(url):
    opener = urllib.request.build_opener(NoRedirect)
    for _ in range(10):
        parts = urlsplit(url)
        log(f"visit {parts.scheme}://{parts.netloc}{parts.path}")
        if parts.scheme not in ("http", "https"):
            log(f"handoff {parts.scheme}://{parts.netloc}{parts.path}")
            subprocess.run(["xdg-open", url], check=False)
            return 0
        try:
            with opener.open(url, timeout=30) as resp:
                log(f"status {resp.status}")
                resp.read()
                return 0
        except urllib.error.HTTPError as e:
            if e.code in (301, 302, 303, 307, 308) and e.headers.get("Location"):
                url = urljoin(url, e.headers["Location"])
                continue
            log(f"status {e.code}")
            return 0
    log("too many redirects")
    return 1


if __name__ == "__main__":
    sys.exit(visit(sys.argv[1]))
