import hashlib
import time

import pytest

pytestmark = pytest.mark.browser


def test_worker_pow(crypto_page):
    page = crypto_page.page
    for bits in (12, 16, 18):
        start = time.time()
        result = page.evaluate(
            """(bits) => new Promise((resolve, reject) => {
              const w = new Worker('/static/dist/vigil-pow-worker.js');
              w.onmessage = (e) => { if (e.data.nonce) { resolve(e.data); w.terminate(); } };
              w.onerror = (e) => reject(String(e.message));
              w.postMessage({challenge: 'abc.def', difficulty: bits});
            })""",
            bits,
        )
        took = time.time() - start
        digest = hashlib.sha256(f"abc.def:{result['nonce']}".encode()).digest()
        value = int.from_bytes(digest, "big")
        assert value >> (256 - bits) == 0
        print(bits, result, f"{took:.2f}s", f"{result['tried'] / took:.0f}/s")
