"""Fills roc-validator's HTTP cache with a local copy of a JSON-LD context, through the validator's own cached session.

usage: python seed-validator-cache.py <cache path> <context URL> <local copy>

Nothing can be fetched from the web where the tests run, and the validator's --offline mode serves every
request from its cache: the copy is stored as the validator itself would store the answer, for each Accept
header its checks send (deploy/local/install-tools.sh --for-tests runs this).
"""
import io
import sys
import requests
from urllib3 import HTTPResponse
from requests.adapters import BaseAdapter
from rocrate_validator.utils.http import HttpRequester

cache_path, url, path = sys.argv[1:4]
with open(path, 'rb') as f:
    body = f.read()

class LocalCopy(BaseAdapter):
    """Answers the one URL from the local file; refuses anything else, so nothing leaves the machine."""
    def send(self, request, **kwargs):
        if request.url != url:
            raise requests.ConnectionError(f'only {url} is served here, not {request.url}')
        response = requests.Response()
        response.status_code = 200
        response.headers['Content-Type'] = 'application/ld+json'
        response._content = body
        response.url = request.url
        response.request = request
        response.raw = HTTPResponse(body=io.BytesIO(body), headers=dict(response.headers), status=200, preload_content=False, request_url=request.url)
        response.encoding = 'utf-8'
        return response
    def close(self):
        pass

requester = HttpRequester(cache_max_age=-1, cache_path=cache_path)
for prefix in ('http://', 'https://'):
    requester.session.mount(prefix, LocalCopy())
for accept in (None, 'application/ld+json, application/json', 'application/ld+json'):
    requester.get(url, headers={'Accept': accept} if accept else None)
print(f'cached {url} ({len(body)} bytes) in {cache_path}')
