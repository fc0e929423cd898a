"""Labels shared by every write action: refusals and the generic outcome lines."""

from __future__ import annotations

ENTRIES: dict[str, tuple[str, str]] = {
    "action.not_allowed": (
        "您没有权限执行此操作（当前角色：{role}；需要：{allowed}）。",
        "You may not do this (your role: {role}; needed: {allowed}).",
    ),
    "action.not_found": ("找不到要操作的对象：{what}。", "Not found: {what}."),
    "action.signed_out": ("您的账号已停用或已退出登录，操作未执行。", "Your account is disabled or signed out; nothing was done."),
    "action.done": ("已完成。", "Done."),
}
