"""Labels of signed-in sessions (reloads, sign-out elsewhere, expiry) and of links outside a
user's scope."""

ENTRIES: dict[str, tuple[str, str]] = {
    "sessions.signed_out_elsewhere": (
        "您已退出登录（可能是在另一个标签页或浏览器中退出的），请重新登录。",
        "You were signed out (perhaps in another tab or browser); please sign in again.",
    ),
    "sessions.expired": (
        "登录已超过 {hours} 小时，请重新登录。",
        "Your sign-in is more than {hours} hours old; please sign in again.",
    ),
    "sessions.link_out_of_scope": (
        "该链接指向的单位不在您的查看范围内，已显示您自己的范围。",
        "The link points to a unit outside your scope; your own scope is shown instead.",
    ),
    "auditlog.action.session_resumed": ("恢复登录（刷新或新标签页）", "session resumed (reload or new tab)"),
}
