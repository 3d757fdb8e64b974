"""Following an upload through the scheduler, as a person waiting on its progress page does.

An uploaded letter, action plan or Word template is kept by the request and read by the
scheduler (tracker.uploads.service); its page shows progress until then. `after_reading`
takes the upload's response (a redirect to the progress page), runs the queue as the
scheduler's "upload-queue" job would, and asks the progress page again: the answer is its
redirect to the next step (the review, the mapping, the template page), or, for a refused
file, the upload form shown again with the message against its file field.
"""

from __future__ import annotations

import re

from tracker.jobs.queue import QueueResult
from tracker.uploads.service import read_waiting_uploads

PROGRESS = re.compile(r"/uploads/(\d+)$")


def upload_id_of(response) -> int:
    """The id of the upload a response sent its person to wait for."""
    assert response.status_code == 302, response.data[:2000]
    found = PROGRESS.search(response.headers["Location"])
    assert found, response.headers["Location"]
    return int(found[1])


def read_uploads() -> QueueResult:
    """What the scheduler's "upload-queue" job does at its next tick."""
    return read_waiting_uploads()


def after_reading(client, response):
    """The upload's outcome as its person sees it once the scheduler has read it: the
    progress page's redirect to the next step, or the form again with the refusal. A
    response that did not queue an upload (a form refused at once) is given back as it is."""
    location = response.headers.get("Location", "")
    if response.status_code != 302 or not PROGRESS.search(location):
        return response
    read_uploads()
    progress = client.get(location)
    if progress.status_code == 302 and "upload=" in progress.headers["Location"]:
        return client.get(progress.headers["Location"])
    return progress
