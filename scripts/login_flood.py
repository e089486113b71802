#!/usr/bin/env python3
"""A login flood against a running `allegro-bridge serve`: N concurrent wrong logins
(different e-mails, different X-Forwarded-For addresses, as a botnet would send them),
then the server's memory (RSS of the PID given). Used for docs/BENCHMARKS.md.

    scripts/login_flood.py http://127.0.0.1:18180 PID [N]
"""
import concurrent.futures
import http.cookiejar
import re
import sys
import time
import urllib.parse
import urllib.request


def rss_mb(pid):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return float("nan")


def attempt(base, n):
    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    page = opener.open(base + "/login").read().decode()
    csrf = re.search(r'name="_csrf" value="([^"]+)"', page).group(1)
    data = urllib.parse.urlencode({"_csrf": csrf, "email": f"bot{n}@example.pl", "password": "zgadywane-haslo"}).encode()
    req = urllib.request.Request(base + "/login", data=data, headers={"X-Forwarded-For": f"198.18.{n // 250}.{n % 250 + 1}"})
    try:
        return opener.open(req).status
    except urllib.error.HTTPError as e:
        return e.code


def main():
    base, pid = sys.argv[1], int(sys.argv[2])
    n = int(sys.argv[3]) if len(sys.argv) > 3 else 128
    before = rss_mb(pid)
    started = time.time()
    peak = before
    with concurrent.futures.ThreadPoolExecutor(max_workers=n) as pool:
        futures = [pool.submit(attempt, base, i) for i in range(n)]
        while not all(f.done() for f in futures):
            peak = max(peak, rss_mb(pid))
            time.sleep(0.05)
        codes = [f.result() for f in futures]
    took = time.time() - started
    time.sleep(2)
    print(f"{n} concurrent wrong logins in {took:.1f} s: answers {sorted(set(codes))}; "
          f"serve RSS {before:.0f} MB before, {peak:.0f} MB at the peak, {rss_mb(pid):.0f} MB after")


if __name__ == "__main__":
    main()
