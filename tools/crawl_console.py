"""Concurrent crawl of a running server's console and H5 pages as the demo accounts (the segfault hunt of issue 12).

Usage: python tools/crawl_console.py http://127.0.0.1:5000 SECONDS THREADS [EXCLUDE_REGEX]
"""

import random
import re
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor

import requests

ACCOUNTS = ["admin", "inspector", "inspector_baofeng", "publisher_longjing", "reviewer_longjing", "custodian",
            "unit_handler"]
START = ["/console/", "/v/420323103211", "/v/420323102203", "/console/stats", "/console/triage", "/console/posters",
         "/console/villages/420323103211/poster.png"]
HREF = re.compile(r'(?:href|src)="(/(?:console|v|api/v1/villages|static)[^"#]*)"')
DEMO_PASSWORD = "Demo-2026-mss"


def signed_in(base, user):
    """A requests session logged into the console through its form."""
    session = requests.Session()
    page = session.get(base + "/console/login", timeout=30).text
    token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    session.post(base + "/console/login", data={"username": user, "password": DEMO_PASSWORD, "csrf_token": token},
                 allow_redirects=False, timeout=30)
    return session


def crawl(base, user, deadline, exclude, tally, lock):
    """Follow random links until the deadline or until the server goes away."""
    session, frontier, seen = signed_in(base, user), list(START), set()
    while time.time() < deadline:
        url = random.choice(frontier)
        if "logout" in url or (exclude and re.search(exclude, url)):
            continue
        try:
            response = session.get(base + url.replace("&amp;", "&"), timeout=60)
        except requests.ConnectionError as err:
            with lock:
                tally["errors"].append(f"{url}: {err}")
            return
        with lock:
            tally[response.status_code] = tally.get(response.status_code, 0) + 1
        if "text/html" in response.headers.get("Content-Type", ""):
            for link in HREF.findall(response.text):
                if link not in seen and len(seen) < 3000:
                    seen.add(link)
                    frontier.append(link)


def main(argv):
    """Run the crawl and print the statuses seen and the first connection errors."""
    base, seconds, threads = argv[1], float(argv[2]), int(argv[3])
    exclude = argv[4] if len(argv) > 4 else None
    tally, lock, deadline = {"errors": []}, threading.Lock(), time.time() + seconds
    with ThreadPoolExecutor(threads) as pool:
        for future in [pool.submit(crawl, base, ACCOUNTS[i % len(ACCOUNTS)], deadline, exclude, tally, lock)
                       for i in range(threads)]:
            future.result()
    errors = tally.pop("errors")
    print("statuses", dict(sorted(tally.items())), "connection errors", len(errors))
    for line in errors[:5]:
        print(" ", line)
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
