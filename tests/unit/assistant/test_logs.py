"""Personal data and secrets are masked in every log line."""

from __future__ import annotations

import logging

from assistant.logs import MaskingFilter, mask


def test_mask_personal_data_and_secrets() -> None:
    line = ("대표 010-1234-5678, 공장 031-123-4567, 사업자 123-45-67890, kim@factory.co.kr, "
            "Bearer abcdefghijklmnop, xoxb-1234-abcd, sk-abcdefgh1234")
    masked = mask(line)
    for secret in ("010-1234-5678", "031-123-4567", "123-45-67890", "kim@factory.co.kr", "abcdefghijklmnop",
                   "xoxb-1234-abcd", "sk-abcdefgh1234"):
        assert secret not in masked
    assert mask("설비 20대, 2019년 12,660개, 5,000만 원") == "설비 20대, 2019년 12,660개, 5,000만 원"


def test_filter_masks_formatted_records(caplog) -> None:
    logger = logging.getLogger("fm.test")
    caplog.handler.addFilter(MaskingFilter())
    with caplog.at_level(logging.INFO, logger="fm.test"):
        logger.info("asker %s wrote from %s", "010-9876-5432", "U123")
    assert "010-9876-5432" not in caplog.text and "U123" in caplog.text


def test_slack_timestamps_and_other_long_numbers_are_not_taken_for_phones() -> None:
    assert mask("posted 1800000000.000002 in C1") == "posted 1800000000.000002 in C1"
    assert mask("ticket 1712345678 reopened") == "ticket 1712345678 reopened"
    assert "5678" not in mask("call 010-1234-5678 or +82 10 1234 5678")
