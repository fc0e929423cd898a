"""Labels of sign-in hardening, busy-database and deployment checks."""

from __future__ import annotations

ENTRIES: dict[str, tuple[str, str]] = {
    "auth.locked": (
        "该账号连续 {attempts} 次登录失败，已被锁定，请于 {until}（北京时间）之后再试，或联系管理员。",
        "This account is locked after {attempts} failed sign-ins; try again after {until} (Beijing time) or ask an administrator.",
    ),
    "db.busy": (
        "系统繁忙，请稍后再试。本次操作没有保存任何内容。",
        "The system is busy; please try again in a moment. Nothing was saved.",
    ),
    "deploy.demo_password": (
        "拒绝启动：有 {count} 个账号仍在使用演示密码（{logins}）。请先修改这些账号的密码或删除演示数据。",
        "Refusing to start: {count} account(s) still use the demo password ({logins}). Change those passwords or remove the demo data first.",
    ),
    "deploy.ok": ("部署检查通过。", "Deployment check passed."),
}
