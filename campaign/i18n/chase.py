"""Labels of the day's chase sheet (page 今日催报, its Excel file, the 已联系 action) and of the
phone card view of tables."""

from __future__ import annotations

ENTRIES: dict[str, tuple[str, str]] = {
    "nav.chase": ("今日催报", "Chase sheet"),
    # --- countdown (campaign/reminders.countdown_text) ---------------------------------
    "chase.countdown.done": ("已报送", "Submitted"),
    "chase.countdown.none": ("未设截止时间", "No deadline set"),
    "chase.countdown.left_days": ("还剩 {days} 天", "{days} days left"),
    "chase.countdown.left_day_hours": ("还剩 {days} 天 {hours} 小时", "{days} d {hours} h left"),
    "chase.countdown.left_hours": ("还剩 {hours} 小时", "{hours} h left"),
    "chase.countdown.late_days": ("已超期 {days} 天", "{days} days late"),
    "chase.countdown.late_day_hours": ("已超期 {days} 天 {hours} 小时", "{days} d {hours} h late"),
    "chase.countdown.late_hours": ("已超期 {hours} 小时", "{hours} h late"),
    # --- reminder additions (campaign/reminders.py) ------------------------------------
    "chase.reminder.submitted": (
        "贵单位（{unit}）的电子名单已报送，谢谢配合。",
        "{unit} has submitted its list electronically; thank you.",
    ),
    "chase.reminder.bank_failures": (
        "另有{n}名会员银行制卡未成功，请核对其姓名、身份证号码和手机号码，在系统“失败更正”中更正。",
        "The bank could not make cards for {n} members: please check their names, ID numbers and phones "
        "and correct them on the corrections page.",
    ),
    # --- why a unit is on the sheet ----------------------------------------------------
    "chase.reason.late": ("已超期未报送", "Late"),
    "chase.reason.at_risk": ("即将到期未报送", "Due soon"),
    "chase.reason.returned": ("被退回待重报", "Returned"),
    "chase.reason.paper": ("纸质材料未齐", "Paper missing"),
    "chase.reason.bank_failures": ("制卡失败待更正", "Bank failures to correct"),
    # --- the page -----------------------------------------------------------------------
    "chase.not_for_role": (
        "今日催报供联络人和区工会使用。单位的报送情况请看“报送进度”和“单位时间线”。",
        "The chase sheet is for liaisons and district staff. Units see their progress on the submissions "
        "and timeline pages.",
    ),
    "chase.caption": (
        "{campaign} · {scope} · 截至 {when}。逐家联系，复制提醒短信发微信，联系后点“已联系”。",
        "{campaign} · {scope} · as of {when}. Work down the list, paste the reminder into WeChat, then press "
        "“Contacted”.",
    ),
    "chase.m.units": ("今日需催报", "Units to chase"),
    "chase.m.contacted": ("今日已联系", "Contacted today"),
    "chase.m.late": ("已超期", "Late"),
    "chase.m.at_risk": ("即将到期", "Due soon"),
    "chase.m.bank": ("制卡失败待更正", "Bank failures open"),
    "chase.m.bank_help": ("单位内银行制卡失败、尚未更正的人数合计。", "Members the bank failed and the units have not corrected yet."),
    "chase.empty": ("今天没有需要催报的单位。", "No unit to chase today."),
    "chase.view": ("显示方式", "View"),
    "chase.view.cards": ("卡片视图", "Cards"),
    "chase.view.table": ("表格视图", "Table"),
    "chase.hide_done": ("隐藏今日已联系", "Hide contacted today"),
    "chase.all_done": ("今天的单位都已联系过。", "Every unit has been contacted today."),
    "chase.page_of": ("第 {page} / {pages} 页", "Page {page} of {pages}"),
    "chase.page": ("页", "Page"),
    "chase.contact": ("填表人：{name}　电话：{phone}", "Contact: {name}  Phone: {phone}"),
    "chase.status_line": ("{status} · {countdown}", "{status} · {countdown}"),
    "chase.reasons": ("催报原因：{reasons}", "Why: {reasons}"),
    "chase.missing": ("缺少纸质材料：{items}", "Paper missing: {items}"),
    "chase.errors": ("未改错误 {n} 处", "{n} open errors"),
    "chase.bank": ("制卡失败待更正 {n} 人", "{n} bank failures to correct"),
    "chase.contacted_badge": ("今日已联系（{when}）", "Contacted today ({when})"),
    "chase.reminder_label": ("提醒短信（点右上角复制）", "Reminder (copy button at top right)"),
    "chase.mark": ("已联系", "Contacted"),
    "chase.mark_again": ("再记一次联系", "Contacted again"),
    "chase.marked": ("已记录：今日已联系 {units}。", "Recorded: contacted {units} today."),
    "chase.quick_note": ("已联系（今日催报）", "Contacted (chase sheet)"),
    "chase.table_select": ("在表格中勾选单位，可一次标记为已联系。", "Tick units in the table to mark them contacted at once."),
    "chase.mark_selected": ("将选中的 {n} 家单位标记为已联系", "Mark the {n} selected units contacted"),
    "chase.download": ("下载今日催报清单（Excel）", "Download the chase sheet (Excel)"),
    "chase.file_name": ("今日催报", "chase-sheet"),
    "chase.record_title": ("记录联系详情", "Record a contact in detail"),
    "chase.record_caption": (
        "联系情况只有联络人和区工会能看到，单位看不到。",
        "Contact notes are seen by liaisons and district staff only, never by the units.",
    ),
    "chase.link_from_submissions": (
        "今日需催报 {n} 家单位（{done} 家今日已联系）：逐家联系、复制提醒短信、下载清单请到“今日催报”。",
        "{n} units to chase today ({done} contacted): work through them on the chase sheet page.",
    ),
    "chase.link_label": ("打开今日催报", "Open the chase sheet"),
    # --- columns (screen and Excel) ----------------------------------------------------
    "chase.col.no": ("序号", "No."),
    "chase.col.district": ("区", "District"),
    "chase.col.area": ("片区", "Area"),
    "chase.col.unit": ("单位", "Unit"),
    "chase.col.contact": ("填表人", "Contact"),
    "chase.col.phone": ("联系电话", "Phone"),
    "chase.col.status": ("状态", "Status"),
    "chase.col.due": ("截止时间", "Due"),
    "chase.col.countdown": ("剩余/超期", "Left / late"),
    "chase.col.reasons": ("催报原因", "Why"),
    "chase.col.missing": ("缺少纸质材料", "Paper missing"),
    "chase.col.errors": ("未改错误", "Open errors"),
    "chase.col.bank": ("制卡失败待更正", "Bank failures"),
    "chase.col.contacted": ("今日已联系", "Contacted today"),
    "chase.col.last": ("上次联系", "Last contact"),
    "chase.col.reminder": ("提醒短信", "Reminder"),
    "chase.xlsx.title": ("今日催报清单", "Chase sheet"),
    "chase.xlsx.subtitle": (
        "{campaign} · {scope} · 截至 {when} · 共 {n} 家单位 · 导出人 {by}",
        "{campaign} · {scope} · as of {when} · {n} units · exported by {by}",
    ),
    "chase.xlsx.yes": ("是", "yes"),
    "chase.xlsx.sheet": ("催报清单", "Chase"),
    "auditlog.action.chase": ("记录催报联系", "chase contact"),
    # --- refusals of the contact action ------------------------------------------------
    "chase.refuse.no_units": ("请至少选择一家单位。", "Choose at least one unit."),
    "chase.refuse.too_many": ("一次最多标记 {max} 家单位。", "At most {max} units at a time."),
    "chase.refuse.channel": ("联系方式“{channel}”无效。", "Unknown channel “{channel}”."),
    "chase.refuse.note": ("联系情况不能为空，最多 {max} 字。", "The note must not be empty and at most {max} characters."),
    "chase.refuse.future": ("联系时间不能晚于现在。", "A contact cannot be in the future."),
    # --- phone card view of tables (ui/components.responsive_table) --------------------
    "cards.more": (
        "手机上只列出前 {shown} 条（共 {total} 条），请用筛选缩小范围或下载完整表格。",
        "On a phone only the first {shown} of {total} rows are listed: filter or download the full table.",
    ),
}
