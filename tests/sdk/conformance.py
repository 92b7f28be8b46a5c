"""Drives `memos serve` with the official MemOS Python SDK (PyPI MemoryOS), changing only the
base URL. Run with the SDK's own interpreter (the wheel installs a package named `memos`):

    python tests/sdk/conformance.py http://127.0.0.1:8000/api/openmem/v1

Prints one line per call and exits 1 on the first that fails.
"""

from __future__ import annotations

import sys
import time

from memos.api.client import MemOSClient


def check(name: str, condition: bool, detail: object = "") -> None:
    print(f"{'ok' if condition else 'FAILED'}  {name}  {detail if not condition else ''}")
    if not condition:
        sys.exit(1)


def main(base_url: str) -> None:
    client = MemOSClient(api_key="local-key", base_url=base_url)
    trip = [
        {"role": "user", "content": "I'm planning a trip to Guangzhou this summer, what chain "
         "hotels are available for accommodation?", "chat_time": "2025-06-03 09:12:00"},
        {"role": "assistant", "content": "You can consider 7 Days Inn, Ji Hotel, Hilton, etc.",
         "chat_time": "2025-06-03 09:13:00"},
        {"role": "user", "content": "I'll choose 7 Days Inn", "chat_time": "2025-06-03 09:14:00"},
        {"role": "assistant", "content": "Okay, ask me anything else.",
         "chat_time": "2025-06-03 09:15:00"},
    ]
    added = client.add_message(trip, user_id="sdk-user", conversation_id="trip",
                               async_mode=False, tags=["travel"], info={"scene": "travel"})
    check("add_message (sync)", added is not None and added.code == 0
          and added.status == "completed", added)
    queued = client.add_message([{"role": "user", "content": "I live in Oslo",
                                  "chat_time": "2025-01-01 10:00:00"}],
                                user_id="sdk-user", conversation_id="home")
    check("add_message (async)", queued is not None and queued.status == "running", queued)
    for _ in range(200):
        status = client.get_task_status(queued.task_id)
        if status is not None and status.data.status != "running":
            break
        time.sleep(0.05)
    check("get_task_status", status is not None and status.data.status == "completed", status)
    found = client.search_memory("which hotel did I choose", user_id="sdk-user",
                                 filter={"and": [{"scene": "travel"}]})
    texts = [str(m.model_dump()) for m in found.memories + (found.preferences or [])]
    check("search_memory (filter)", found.code == 0 and any("7 Days Inn" in t for t in texts),
          found)
    page = client.get_memory(user_id="sdk-user", size=5)
    check("get_memory", page is not None and page.code == 0 and page.data.total, page)
    one = client.get_memory_by_id(page.memories[0].model_dump()["id"])
    check("get_memory_by_id", one is not None and one["code"] == 0, one)
    feedback = client.add_feedback(user_id="sdk-user", conversation_id="home",
                                   feedback_content="I moved to Valencia",
                                   feedback_time="2025-06-01T10:00:00")
    check("add_feedback", feedback is not None and feedback.code == 0, feedback)
    messages = client.get_message(user_id="sdk-user", conversation_id="trip")
    check("get_message", messages is not None and len(messages.messages) == 4, messages)
    deleted = client.delete_memory(memory_ids=[page.memories[0].model_dump()["id"]])
    check("delete_memory", deleted is not None and deleted.success, deleted)
    print("the SDK ran every call against memos serve")


if __name__ == "__main__":
    main(sys.argv[1])
