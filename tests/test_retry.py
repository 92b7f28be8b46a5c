"""The one retry policy: what is tried again, and how long memos waits."""

from __future__ import annotations

import pytest

from memos_cli.retry import Backoff, transient


@pytest.mark.parametrize("status, again", [(None, True), (429, True), (500, True), (503, True),
                                           (400, False), (401, False), (404, False)])
def test_only_what_may_pass_next_time_is_tried_again(status: int | None, again: bool) -> None:
    assert transient(status) is again


def test_the_wait_doubles_with_jitter_up_to_its_cap() -> None:
    backoff = Backoff(base_s=0.5, cap_s=4.0)
    for attempt, full in ((0, 0.5), (1, 1.0), (2, 2.0), (5, 4.0)):
        for _ in range(50):
            assert full / 2 <= backoff.delay(attempt) <= full


def test_a_server_asking_for_time_gets_it_within_the_cap() -> None:
    backoff = Backoff(base_s=0.5, cap_s=4.0, server_cap_s=10.0)
    assert backoff.delay(0, server_says=7.0) == 7.0
    assert backoff.delay(0, server_says=600.0) == 10.0
    assert 0.0625 <= backoff.delay(0, server_says=0.0) <= 0.125  # a quarter of its own wait
