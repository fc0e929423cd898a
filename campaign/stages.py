"""Member stages, milestones, roles and other shared vocabularies of the campaign."""

from __future__ import annotations

from typing import Final

# The one-way path of a member (the failure loop sits beside it).
STAGES: Final = (
    "collected",
    "validated",
    "submitted",
    "approved",
    "sent_to_bank",
    "produced",
    "received",
    "distributed",
    "delivered",
    "activated",
)
FAILURE_STAGES: Final = ("failed", "corrected")
ALL_STAGES: Final = STAGES + FAILURE_STAGES

# Each stage and the member column holding when it was first reached.
STAGE_TIME_COLUMN: Final = {
    "collected": "collected_at",
    "validated": "validated_at",
    "submitted": "submitted_at",
    "approved": "approved_at",
    "sent_to_bank": "sent_at",
    "produced": "produced_at",
    "received": "received_at",
    "distributed": "distributed_at",
    "delivered": "delivered_at",
    "activated": "activated_at",
    "failed": "failed_at",
    "corrected": "corrected_at",
}

# A unit's list counts as submitted in these statuses (awaiting review, or approved).
SUBMITTED_STATUSES: Final = ("submitted", "approved")
MILESTONES: Final = ("unit_submission", "district_review", "bank_batch", "distribution")
ROLES: Final = ("admin", "district_leader", "liaison", "unit")
CARD_STEPS: Final = ("received_by_district", "handed_to_unit", "delivered", "activated")
CARD_STEP_STAGE: Final = {
    "received_by_district": "received",
    "handed_to_unit": "distributed",
    "delivered": "delivered",
    "activated": "activated",
}
REVIEW_OUTCOMES: Final = ("pending", "approved", "returned")
CHASE_CHANNELS: Final = ("phone", "wechat", "sms", "visit", "email")

# Bank failure reasons: code -> (zh, en).
BANK_FAILURE_REASONS: Final = {
    "id_name_mismatch": ("身份证号与姓名联网核查不一致", "ID number and name do not match the national check"),
    "id_invalid": ("身份证号码在公安系统中不存在", "ID number not found in the national system"),
    "id_expired": ("身份证件已过期或已注销", "ID card expired or cancelled"),
    "duplicate_account": ("该客户已在本行开立同类账户", "The customer already holds such an account"),
    "phone_invalid": ("手机号码无效或为空号", "Mobile number invalid or not in service"),
    "unit_name_mismatch": ("办卡单位名称与报送不一致", "Card-unit name differs from the submission"),
    "info_incomplete": ("开户信息不完整", "Account-opening information incomplete"),
}

# Roles allowed to see full ID numbers and phones.
FULL_PII_ROLES: Final = frozenset({"admin", "district_leader"})


def stage_rank(stage: str) -> int:
    """Position of a stage on the one-way path; failed/corrected rank just after sent_to_bank.

    >>> stage_rank("collected") < stage_rank("approved") < stage_rank("failed") < stage_rank("produced")
    True
    """
    if stage in FAILURE_STAGES:
        return STAGES.index("sent_to_bank")
    return STAGES.index(stage)
