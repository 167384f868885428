#!/usr/bin/env python3
"""Run the loader scenarios of scenarios.json on botocore and print its answers.

    python3 resolve.py scenarios.json > answers.json

Each scenario runs in its own Python process (botocore reads HOME when it is
imported), with an environment made of the scenario's variables only, a
fresh HOME holding the scenario's files, and AWS_EC2_METADATA_DISABLED=true.
No request leaves the machine: botocore's HTTP session is patched so that
every request it would send to AWS (STS, the SSO portal, SSO OIDC) goes to
a loopback server of that process instead (fake_server below), with its
original URL in the X-Original-Url header. The server answers AssumeRole,
AssumeRoleWithWebIdentity, GetRoleCredentials and the OIDC CreateToken
refresh grant with credentials derived from the request, and records each
call with the URL botocore chose and the key and region it signed with. The
Go test (awsconfig/botocore_test.go) runs the same scenarios against the
loader, routed the same way to a Go twin of that server, and compares.

A file is a list of lines (each ends with a newline) or a string written as
it is. Placeholders, expanded the same way by the Go test: in file names
{{sha1:TEXT}} is the hex SHA-1 of TEXT; in file contents and variables
{{time:+N}} / {{time:-N}} is now plus or minus N seconds (RFC 3339, UTC),
{{home}} the scenario's HOME, in variables and file contents.
"""

import concurrent.futures
import hashlib
import http.server
import json
import os
import re
import subprocess
import sys
import tempfile
import threading
import urllib.parse
from datetime import datetime, timedelta, timezone

def expand(text, home, endpoint, now):
    def time_repl(m):
        t = now + timedelta(seconds=int(m.group(1)))
        return t.strftime('%Y-%m-%dT%H:%M:%SZ')

    text = re.sub(r'\{\{time:([+-]\d+)\}\}', time_repl, text)
    text = re.sub(
        r'\{\{sha1:([^}]*)\}\}',
        lambda m: hashlib.sha1(m.group(1).encode()).hexdigest(),
        text,
    )
    return text.replace('{{home}}', home)


def role_name(arn):
    return arn.rsplit('/', 1)[-1]


def tag(s):
    return re.sub(r'[^A-Z0-9]', '', s.upper())


class Handler(http.server.BaseHTTPRequestHandler):
    """The fake STS (/sts), SSO portal (/sso) and OIDC (/oidc) service."""

    calls = []

    def log_message(self, *args):
        pass

    def reply(self, status, body, ctype):
        data = body.encode()
        self.send_response(status)
        self.send_header('Content-Type', ctype)
        self.send_header('Content-Length', str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def do_POST(self):
        n = int(self.headers.get('Content-Length') or 0)
        body = self.rfile.read(n).decode()
        url = self.headers.get('X-Original-Url', '')
        if self.path == '/':
            form = dict(urllib.parse.parse_qsl(body))
            action = form.get('Action')
            arn = form.get('RoleArn', '')
            auth = self.headers.get('Authorization', '')
            m = re.search(r'Credential=([^/]+)/\d+/([^/]+)/', auth)
            signer = f'{m.group(1)}@{m.group(2)}' if m else 'unsigned'
            name = role_name(arn)
            if action == 'AssumeRoleWithWebIdentity':
                self.calls.append(
                    f'POST {url} AssumeRoleWithWebIdentity {arn} token={form.get("WebIdentityToken")}'
                )
                prefix = 'ASIAWEB'
            else:
                self.calls.append(f'POST {url} AssumeRole {arn} signed by {signer}')
                prefix = 'ASIA'
            exp = (datetime.now(timezone.utc) + timedelta(hours=1)).strftime(
                '%Y-%m-%dT%H:%M:%SZ'
            )
            xml = (
                f'<{action}Response xmlns="https://sts.amazonaws.com/doc/2011-06-15/">'
                f'<{action}Result><Credentials>'
                f'<AccessKeyId>{prefix}{tag(name)}</AccessKeyId>'
                f'<SecretAccessKey>secret-{name}</SecretAccessKey>'
                f'<SessionToken>token-{name}</SessionToken>'
                f'<Expiration>{exp}</Expiration>'
                f'</Credentials><AssumedRoleUser><Arn>{arn}/s</Arn>'
                f'<AssumedRoleId>AROA:s</AssumedRoleId></AssumedRoleUser>'
                f'</{action}Result><ResponseMetadata><RequestId>r</RequestId>'
                f'</ResponseMetadata></{action}Response>'
            )
            return self.reply(200, xml, 'text/xml')
        if self.path == '/token':
            req = json.loads(body)
            self.calls.append(
                f'POST {url} CreateToken grant={req.get("grantType")} client={req.get("clientId")} refresh={req.get("refreshToken")}'
            )
            resp = {
                'accessToken': 'refreshed-' + req.get('refreshToken', ''),
                'expiresIn': 3600,
                'refreshToken': 'rotated-' + req.get('refreshToken', ''),
                'tokenType': 'Bearer',
            }
            return self.reply(200, json.dumps(resp), 'application/json')
        self.reply(404, '{}', 'application/json')

    def do_GET(self):
        u = urllib.parse.urlparse(self.path)
        if u.path == '/federation/credentials':
            q = dict(urllib.parse.parse_qsl(u.query))
            token = self.headers.get('x-amz-sso_bearer_token', '')
            url = self.headers.get('X-Original-Url', '').split('?', 1)[0]
            self.calls.append(
                f'GET {url} GetRoleCredentials role={q.get("role_name")} account={q.get("account_id")} token={token}'
            )
            if token.startswith('revoked'):
                err = {'message': 'Session token not found or invalid'}
                self.send_response(401)
                data = json.dumps(err).encode()
                self.send_header('Content-Type', 'application/json')
                self.send_header('x-amzn-ErrorType', 'UnauthorizedException')
                self.send_header('Content-Length', str(len(data)))
                self.end_headers()
                self.wfile.write(data)
                return
            exp = int(
                (datetime.now(timezone.utc) + timedelta(hours=1)).timestamp()
                * 1000
            )
            creds = {
                'roleCredentials': {
                    'accessKeyId': 'ASIASSO' + tag(q.get('role_name', '')),
                    'secretAccessKey': 'secret-sso-' + q.get('role_name', ''),
                    'sessionToken': 'token-sso-' + token,
                    'expiration': exp,
                }
            }
            return self.reply(200, json.dumps(creds), 'application/json')
        self.reply(404, '{}', 'application/json')


def run_one(scenario):
    """Runs in the child process: resolve one scenario with botocore."""
    server = http.server.ThreadingHTTPServer(('127.0.0.1', 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    endpoint = f'http://127.0.0.1:{server.server_address[1]}'
    home = os.environ['HOME']
    now = datetime.now(timezone.utc)
    env = {
        'HOME': home,
        'PATH': os.environ.get('PATH', ''),
        'AWS_EC2_METADATA_DISABLED': 'true',
    }
    for k, v in scenario.get('env', {}).items():
        env[k] = expand(v, home, endpoint, now)
    for name, content in scenario.get('files', {}).items():
        path = os.path.join(home, expand(name, home, endpoint, now))
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, 'w') as f:
            if isinstance(content, list):
                content = '\n'.join(content) + '\n'
            f.write(expand(content, home, endpoint, now))
    os.environ.clear()
    os.environ.update(env)

    import botocore
    import botocore.httpsession
    import botocore.session

    send = botocore.httpsession.URLLib3Session.send

    def routed(self, request):
        u = urllib.parse.urlsplit(request.url)
        request.headers['X-Original-Url'] = request.url
        request.url = endpoint + u.path + ('?' + u.query if u.query else '')
        return send(self, request)

    botocore.httpsession.URLLib3Session.send = routed

    out = {}
    try:
        session = botocore.session.Session(profile=scenario.get('profile'))
        out['region'] = session.get_config_variable('region')
        creds = session.get_credentials()
        if creds is None:
            raise LookupError('NoCredentials')
        frozen = creds.get_frozen_credentials()
        out['access_key_id'] = frozen.access_key
        out['secret_access_key'] = frozen.secret_key
        out['session_token'] = frozen.token
        s3 = session.get_config_variable('s3') or {}
        out['addressing_style'] = s3.get('addressing_style')
        client = session.create_client('s3')
        b = {
            k.value: v for k, v in client._ruleset_resolver._builtins.items()
        }
        out['use_accelerate_endpoint'] = bool(b['AWS::S3::Accelerate'])
        out['use_dualstack_endpoint'] = bool(b['AWS::UseDualStack'])
        out['use_fips_endpoint'] = bool(b['AWS::UseFIPS'])
        out['force_path_style'] = bool(b['AWS::S3::ForcePathStyle'])
        out['endpoint_url_s3'] = b['SDK::Endpoint']
    except LookupError as e:
        out['error'] = str(e)
    except Exception as e:  # the class is the answer
        out['error'] = type(e).__name__
    out['calls'] = list(Handler.calls)
    rewritten = {}
    for name, content in scenario.get('files', {}).items():
        if '/sso/cache/' not in name:
            continue
        path = os.path.join(home, expand(name, home, endpoint, now))
        with open(path) as f:
            data = json.load(f)
        rewritten[name] = {
            'accessToken': data.get('accessToken'),
            'refreshToken': data.get('refreshToken'),
        }
    if rewritten:
        out['sso_cache'] = rewritten
    server.shutdown()
    for k in list(out):
        if out[k] is None:
            del out[k]
    return out


def run_child(scenario):
    with tempfile.TemporaryDirectory() as home:
        proc = subprocess.run(
            [sys.executable, os.path.abspath(__file__), '--one'],
            input=json.dumps(scenario),
            capture_output=True,
            text=True,
            env={'HOME': home, 'PATH': os.environ.get('PATH', '')},
            timeout=120,
        )
    if proc.returncode != 0:
        raise SystemExit(f'{scenario["name"]}: {proc.stderr}')
    return json.loads(proc.stdout)


def main():
    if sys.argv[1:] == ['--one']:
        print(json.dumps(run_one(json.load(sys.stdin))))
        return
    if len(sys.argv) != 2:
        raise SystemExit('usage: resolve.py scenarios.json > answers.json')
    with open(sys.argv[1]) as f:
        scenarios = json.load(f)
    import botocore

    with concurrent.futures.ThreadPoolExecutor(max_workers=2) as pool:
        answers = list(pool.map(run_child, scenarios))
    doc = {
        'generator': 'python3 resolve.py scenarios.json > answers.json',
        'botocore': botocore.__version__,
        'answers': {s['name']: a for s, a in zip(scenarios, answers)},
    }
    json.dump(doc, sys.stdout, indent=1, sort_keys=True)
    sys.stdout.write('\n')


if __name__ == '__main__':
    main()
