"""Warm-start benchmark: `serve` start to `/readyz` ready, then the first KakaoTalk skill answer
and the first web answer, over several restarts.

    python scripts/bench_startup.py --data-dir var --runs 5 [--out docs/bench-startup.md]

The data dir must hold ingested knowledge (`factory-mentor ingest knowledge --data-dir ...`).
Each run starts a fresh `factory-mentor serve` process on a free port (Kakao enabled with a
throwaway secret), polls `/readyz` every 50 ms, asks one Kakao question and one web question
(different from the warm-up question), then stops the server.
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import socket
import statistics
import subprocess
import sys
import time
import urllib.error
import urllib.request
import uuid
from pathlib import Path

SECRET = "bench-skill-secret-0123456789"
KAKAO_QUESTION = "스마트공장 수준확인 제도가 무엇인가요?"
WEB_QUESTION = "MES 도입 비용은 어느 정도인가요?"
SERVE = "from channels.cli import main; main()"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _post(url: str, body: dict, headers: dict[str, str]) -> tuple[int, dict, float]:
    data = json.dumps(body, ensure_ascii=False).encode()
    request = urllib.request.Request(url, data=data, method="POST",
                                     headers={"Content-Type": "application/json", **headers})
    started = time.perf_counter()
    with urllib.request.urlopen(request, timeout=60) as resp:
        payload = json.loads(resp.read())
        return resp.status, payload, time.perf_counter() - started


def _kakao_payload(text: str) -> dict:
    # a new user each run: the skill replays a repeated utterance of the same user for a minute
    uid = f"bench-{uuid.uuid4().hex[:12]}"
    user = {"id": uid, "type": "botUserKey", "properties": {"plusfriendUserKey": "pf-" + uid}}
    return {"intent": {"id": "b", "name": "폴백"}, "bot": {"id": "bot", "name": "FM"},
            "action": {"id": "a", "name": "skill", "params": {}, "detailParams": {}, "clientExtra": {}},
            "userRequest": {"timezone": "Asia/Seoul", "lang": "ko", "utterance": text, "user": user,
                            "block": {"id": "b", "name": "폴백"}, "params": {}}, "contexts": []}


def one_run(data_dir: Path, warm: bool = True) -> dict[str, float]:
    port = _free_port()
    base = f"http://127.0.0.1:{port}"
    env = {**os.environ, "FM_KAKAO_SKILL_SECRET": SECRET, "FM_LOG_LEVEL": "WARNING",
           "FM_WARM_UP_ON_START": "true" if warm else "false"}
    started = time.perf_counter()
    proc = subprocess.Popen([sys.executable, "-c", SERVE, "serve", "--port", str(port), "--data-dir", str(data_dir)],
                            env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        while True:
            if proc.poll() is not None:
                raise RuntimeError(f"serve exited with {proc.returncode}")
            try:
                with urllib.request.urlopen(f"{base}/readyz", timeout=5) as resp:
                    if resp.status == 200:
                        break
            except (urllib.error.URLError, ConnectionError, TimeoutError):
                pass
            time.sleep(0.05)
        ready = time.perf_counter() - started
        status, kakao, kakao_s = _post(f"{base}/kakao/skill", _kakao_payload(KAKAO_QUESTION), {"X-Skill-Secret": SECRET})
        assert status == 200 and "useCallback" not in kakao, kakao
        status, web, web_s = _post(f"{base}/v1/chat", {"message": WEB_QUESTION}, {"X-Owner-Id": "bench-owner-0001"})
        assert status == 200 and web["answer"], web
        return {"ready_s": ready, "kakao_s": kakao_s, "web_s": web_s}
    finally:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            proc.kill()


def report(runs: list[dict[str, float]]) -> str:
    lines = ["| run | serve start → ready (s) | first Kakao answer (s) | first web answer (s) |",
             "|---|---|---|---|"]
    for n, r in enumerate(runs, start=1):
        lines.append(f"| {n} | {r['ready_s']:.2f} | {r['kakao_s']:.2f} | {r['web_s']:.2f} |")
    for name, fn in (("median", statistics.median), ("max", max)):
        lines.append(f"| {name} | {fn(r['ready_s'] for r in runs):.2f} | {fn(r['kakao_s'] for r in runs):.2f} "
                     f"| {fn(r['web_s'] for r in runs):.2f} |")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data-dir", type=Path, required=True)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--cold", action="store_true", help="without the warm-up (FM_WARM_UP_ON_START=false)")
    args = parser.parse_args()
    runs = []
    for n in range(args.runs):
        runs.append(one_run(args.data_dir, warm=not args.cold))
        print(f"run {n + 1}: " + ", ".join(f"{k} {v:.2f}" for k, v in runs[-1].items()), file=sys.stderr)
    print(report(runs))


if __name__ == "__main__":
    main()
