"""Labels of first run (init), accounts, passwords and sessions that end."""

from __future__ import annotations

ENTRIES: dict[str, tuple[str, str]] = {
    # password rule (campaign.passwords)
    "pw.too_short": ("密码至少需要 10 个字符", "a password needs at least 10 characters"),
    "pw.one_class": (
        "密码需包含至少两类字符（小写字母、大写字母、数字、其他符号或汉字）",
        "a password needs two kinds of character (lower case, upper case, digits, other)",
    ),
    "pw.contains_login": ("密码不能包含登录名", "a password must not contain the login name"),
    "pw.common": ("密码包含常见密码（如 demo1234、password、12345678）", "the password contains a well-known password (demo1234, password, 12345678, ...)"),
    "pw.pattern": ("密码不能是重复字符或连续字符", "a password must not be a repeated or straight run of characters"),
    # refusals (data_access.actions.users)
    "users.refuse.generic": ("账号操作被拒绝。", "The account change was refused."),
    "users.refuse.bad_login": (
        "登录名“{login}”不合规：需 2–64 位字母、数字或 _ . @ -，以字母或数字开头。",
        "Login '{login}' is not valid: 2-64 letters, digits or _ . @ -, starting with a letter or digit.",
    ),
    "users.refuse.duplicate_login": ("登录名“{login}”已存在。", "Login '{login}' already exists."),
    "users.refuse.unknown_login": ("找不到账号“{login}”。", "No account '{login}'."),
    "users.refuse.bad_role": ("角色“{role}”无效，应为：{roles}。", "Role '{role}' is not valid; one of: {roles}."),
    "users.refuse.bad_name": ("姓名不能为空，且不超过 {limit} 个字符。", "The name must be given, at most {limit} characters."),
    "users.refuse.unknown_scope": (
        "管理范围单位编码“{scope}”不存在或已撤销。",
        "Scope code '{scope}' does not exist or is retired.",
    ),
    "users.refuse.scope_for_role": (
        "角色 {role} 的管理范围不能是“{scope}”（层级 {level}）：管理员为全部或市级/新区，区工会领导为区县局及以上，片区联络人为区县局或片区，基层单位填表人为基层单位。",
        "Role {role} cannot have scope '{scope}' (level {level}): admin = everything or a group node, district leader = district or above, liaison = district or area, unit clerk = a unit.",
    ),
    "users.refuse.weak_password": ("密码强度不够：{reason}。", "The password is too weak: {reason}."),
    "users.refuse.last_admin": (
        "“{login}”是最后一个全范围的系统管理员，不能停用、降级或缩小范围。请先添加另一个管理员。",
        "'{login}' is the last administrator of everything: cannot be disabled, demoted or re-scoped. Add another administrator first.",
    ),
    "users.refuse.own_account": ("不能停用自己的账号。", "You cannot disable your own account."),
    "users.refuse.wrong_password": ("原密码不正确。", "The current password is wrong."),
    "users.refuse.same_password": ("新密码不能与原密码相同。", "The new password must differ from the current one."),
    "users.refuse.admin_exists": ("已经有系统管理员，不再创建。", "An administrator already exists; none created."),
    "users.refuse.formula": ("该行含有公式，请只填写文字。", "This row holds a formula; type plain text only."),
    # users sheet (campaign.userlist)
    "users.file_columns": ("用户表缺少必填列：{columns}。", "The users sheet lacks required columns: {columns}."),
    "users.file_empty": ("用户表没有任何用户行。", "The users sheet has no user rows."),
    "users.file_too_long": ("用户表超过 {limit} 行，请分批导入。", "The users sheet has more than {limit} rows; import it in parts."),
    "users.template_sheet": ("用户", "Users"),
    "users.template_notes_sheet": ("说明", "Notes"),
    "users.template_notes": (
        "每行一个账号。登录名：2–64 位字母、数字或 _ . @ -。\n"
        "角色：系统管理员、区工会领导、片区联络人、基层单位填表人。\n"
        "管理范围单位编码：组织架构中的单位编码（系统管理员可填 * 表示全部）。区工会领导填区县局及以上，片区联络人填区县局或片区，基层单位填表人填基层单位。\n"
        "初始密码：可不填，系统将生成并只显示一次；填写时至少 10 位，含两类字符，不含登录名和常见密码。\n"
        "导入前先预览；有任何一行不合格时不会写入任何账号。已存在且完全相同的账号不变。",
        "One account per row. Login: 2-64 letters, digits or _ . @ -.\n"
        "Role: 系统管理员, 区工会领导, 片区联络人, 基层单位填表人 (or admin, district_leader, liaison, unit).\n"
        "Scope code: a code of the organisation tree (* = everything, administrators only). District leader: district or above; liaison: district or area; unit clerk: a unit.\n"
        "Initial password: may be empty (generated and shown once); else at least 10 characters, two kinds, without the login or a common password.\n"
        "Preview first; if any row is refused nothing is written. Existing identical accounts stay as they are.",
    ),
    "users.passwords_sheet": ("初始密码", "Initial passwords"),
    # init / check-deploy
    "init.migrated": ("数据库已创建或升级到最新结构。", "The database is created or migrated to the latest schema."),
    "init.admin_exists": (
        "已有系统管理员（{logins}），只升级了数据库，未创建新账号。",
        "An administrator exists ({logins}); only migrated, no account created.",
    ),
    "init.created": (
        "已创建系统管理员“{login}”。现在可以运行 make serve 并用该账号登录。",
        "Administrator '{login}' created. Run make serve and sign in with it.",
    ),
    "init.no_tty": (
        "无法在非交互终端中询问密码：请用 --password-file 指定密码文件（第一行为密码）。",
        "Cannot ask for a password without a terminal: give --password-file (the password on its first line).",
    ),
    "init.unreadable": ("无法读取密码文件：{path}", "Cannot read the password file: {path}"),
    "init.mismatch": ("两次输入的密码不一致。", "The two passwords differ."),
    "init.prompt": ("新密码（至少10位，含两类字符）：", "New password (10+ characters, two kinds): "),
    "init.prompt_again": ("再次输入新密码：", "Repeat the new password: "),
    "deploy.no_admin": (
        "数据库中还没有可登录的系统管理员。请先运行：python -m campaign init",
        "The database has no administrator who can sign in yet. Run first: python -m campaign init",
    ),
    # sessions
    "auth.session_changed": ("您的账号信息已变更，请重新登录。", "Your account has changed; please sign in again."),
    # users page
    "users.title": ("用户管理", "Users"),
    "users.caption": (
        "为各级工会开通账号、调整范围和角色、停用账号或重置密码。变更立即生效：被停用或调整的用户下一次操作时需要重新登录。",
        "Open accounts, change scope and role, disable or reset passwords. Changes take effect on the user's next interaction.",
    ),
    "users.col_login": ("登录名", "Login"),
    "users.col_name": ("姓名", "Name"),
    "users.col_role": ("角色", "Role"),
    "users.col_scope_code": ("范围编码", "Scope code"),
    "users.col_scope": ("管理范围", "Scope"),
    "users.col_active": ("启用", "Active"),
    "users.col_last_sign_in": ("最近登录（北京时间）", "Last sign-in (Beijing)"),
    "users.col_locked": ("锁定至（北京时间）", "Locked until (Beijing)"),
    "users.col_password": ("初始密码", "Initial password"),
    "users.col_row": ("行号", "Row"),
    "users.col_reason": ("原因", "Reason"),
    "users.everything": ("全部（整个组织）", "Everything (whole tree)"),
    "users.tab_add": ("添加用户", "Add a user"),
    "users.tab_change": ("修改用户", "Change a user"),
    "users.tab_import": ("批量导入", "Import"),
    "users.search": ("搜索单位（名称或编码）", "Search units (name or code)"),
    "users.scope": ("管理范围", "Scope"),
    "users.password_optional": ("初始密码（留空则自动生成）", "Initial password (empty: generate)"),
    "users.add": ("添加", "Add"),
    "users.added": ("已添加用户 {login}。", "User {login} added."),
    "users.generated_once": (
        "系统生成的初始密码（只显示这一次，请转交本人并提醒其登录后修改）：{password}",
        "Generated password (shown only this once; hand it over and ask them to change it): {password}",
    ),
    "users.pick_user": ("选择用户", "Choose a user"),
    "users.disable": ("停用", "Disable"),
    "users.enable": ("启用", "Enable"),
    "users.reset": ("重置密码", "Reset password"),
    "users.end_sessions": ("强制下线", "Sign out everywhere"),
    "users.save_scope": ("保存范围和角色", "Save scope and role"),
    "users.new_password_optional": ("新密码（留空则自动生成）", "New password (empty: generate)"),
    "users.done": ("已保存：{login}（{detail}）", "Saved: {login} ({detail})"),
    "users.unchanged": ("没有变化。", "Nothing changed."),
    "users.template": ("下载用户导入模板", "Download the users template"),
    "users.upload": ("上传用户表（xlsx / xls / csv）", "Upload the users sheet (xlsx / xls / csv)"),
    "users.preview": ("预览", "Preview"),
    "users.apply": ("确认导入", "Import"),
    "users.preview_counts": (
        "将新增 {add} 个账号，{unchanged} 个已存在且相同（不变），{refused} 行不合格。",
        "{add} accounts to add, {unchanged} already exist unchanged, {refused} rows refused.",
    ),
    "users.refused_rows": ("不合格的行（有任何一行不合格时不会导入）：", "Refused rows (nothing is imported while any row is refused):"),
    "users.nothing_new": ("这份用户表中的账号都已存在，没有需要导入的内容。", "Every account in this sheet already exists; nothing to import."),
    "users.imported": ("已导入 {count} 个账号。", "{count} accounts imported."),
    "users.passwords_download": ("下载初始密码表（只可下载这一次的结果）", "Download the initial passwords (this result only)"),
    "users.passwords_note": (
        "下表的初始密码只显示这一次，不会保存明文。请下载或抄录后转交本人。",
        "These initial passwords show only now and are not stored in clear. Download or copy them to hand out.",
    ),
    "users.none": ("还没有用户。", "No users yet."),
    # account page
    "account.title": ("我的账号", "My account"),
    "account.who": ("登录名：{login}　姓名：{name}　角色：{role}　管理范围：{scope}", "Login: {login}  Name: {name}  Role: {role}  Scope: {scope}"),
    "account.change": ("修改密码", "Change password"),
    "account.old": ("原密码", "Current password"),
    "account.new": ("新密码", "New password"),
    "account.again": ("再次输入新密码", "Repeat the new password"),
    "account.save": ("保存新密码", "Save the new password"),
    "account.rule": (
        "至少 10 位，包含两类字符（小写、大写、数字、符号或汉字），不含登录名和常见密码。修改后，您在其他设备上的登录将失效。",
        "At least 10 characters of two kinds, without your login or a common password. Your other sessions end.",
    ),
    "account.mismatch": ("两次输入的新密码不一致。", "The two new passwords differ."),
    "account.changed": ("密码已修改。", "Password changed."),
}
