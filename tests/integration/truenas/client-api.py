"""TrueNAS's truenas_api_client Python API against vsnapd (run by clients.test.ts with the 25.10 client).

usage: client-api.py URI
Prints one JSON object: the event an api_key.create produced on an api_key.query subscription, and
the result, job id and final state of a job called with job=True (new-style jobs: the id comes from
the core.get_jobs `added` event's fields.message_ids).
"""
import json
import sys
import threading

from truenas_api_client import Client

uri = sys.argv[1]
out = {}
with Client(uri) as c:
    seen = threading.Event()
    events = []

    def on_event(mtype, **message):
        events.append({'type': mtype, 'collection': message['collection'], 'id': message['id']})
        seen.set()

    c.subscribe('api_key.query', on_event)
    created = c.call('api_key.create', {'name': 'python-api'})
    if not seen.wait(10):
        sys.exit('no api_key.query event within 10 s')
    out['event'] = events[0]
    out['created_id'] = created['id']

    progress = []
    job_result = c.call('test.job', {'steps': 2, 'step_ms': 1, 'result': {'from': 'job'}}, job=True,
                        callback=lambda job: progress.append(job['progress']['percent']))
    out['job_result'] = job_result
    jobs = c.call('core.get_jobs', [['method', '=', 'test.job']], {'order_by': ['-id'], 'limit': 1})
    out['job_state'] = jobs[0]['state']
    out['job_message_ids'] = jobs[0]['message_ids']
print(json.dumps(out))
