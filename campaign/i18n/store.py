"""Labels of storing a member list: refusals, confirmations, duplicates outside the user's view."""

from __future__ import annotations

ENTRIES: dict[str, tuple[str, str]] = {
    "action.refused": ("操作未执行。", "Nothing was done."),
    "action.removal_needs_confirmation": (
        "保存这份名单会使本单位现有的 {current} 名会员中的 {removed} 人不再在名单上（新名单 {new} 人）。"
        "如确需删除，请勾选确认后再保存；否则请检查是否上传错了文件。",
        "Storing this list would drop {removed} of the unit's {current} current members (the new "
        "list has {new}). Tick the confirmation and store again if that is intended; otherwise "
        "check that this is the right file.",
    ),
    "where.other_part": (
        "本单位“{part}”名单（{file}）第{row}行",
        "the unit's list for \"{part}\" ({file}), row {row}",
    ),
    "action.upload_not_withdrawable": (
        "文件“{file}”已不是当前名单，或其中的人员已经报送，不能撤回。",
        "The file \"{file}\" is no longer the current list, or its people were already submitted; it cannot be withdrawn.",
    ),
    "where.outside_scope": (
        "申报单位不在您的查看范围内，请联系所在区工会核实",
        "the unit that submitted them is outside your view; ask your district union",
    ),
    "intake.current_list": ("本单位当前名单", "The unit's current list"),
    "intake.no_current_list": (
        "还没有保存过名单。下载模板填好后在下方上传，校验无误即可保存。",
        "No list stored yet. Download the template, fill it in and upload it below; once it is clean it can be stored.",
    ),
    "intake.current_total": ("共 {files} 个文件，{members} 人。", "{files} file(s), {members} members."),
    "intake.current_file": (
        "**{part}** · {file} · {members} 人 · {at} 由 {by} 上传",
        "**{part}** · {file} · {members} members · uploaded {at} by {by}",
    ),
    "intake.whole_unit": ("整个单位", "Whole unit"),
    "intake.withdraw": ("撤回", "Withdraw"),
    "intake.withdrawn": ("已撤回“{file}”：{members} 人不再在名单上。", "Withdrew \"{file}\": {members} members left the list."),
    "intake.new_file": ("上传名单", "Upload a list"),
    "intake.part": ("车间/部门/班组（按部门分表上传时填写；整个单位一张表则留空）", "Workshop / department (when the list comes in one file per department; leave empty for one file for the whole unit)"),
    "intake.part_help": (
        "同一部门再次上传会替换该部门原来的名单；不同部门的名单合在一起就是本单位的名单。",
        "Uploading the same department again replaces its list; the lists of all departments together are the unit's list.",
    ),
    "intake.returned": (
        "名单已被退回，请按原因修改后重新报送：{reason}",
        "The list was returned; fix it as asked and submit again: {reason}",
    ),
    "intake.submitted_pending": ("名单已于 {at} 报送，正在审核。", "The list was submitted on {at} and is being reviewed."),
    "intake.submitted_approved": ("名单（{at} 报送）已审核通过。", "The list (submitted {at}) was approved."),
    "intake.refused": ("文件未能读取，原因见下方。", "The file could not be read; the reason is below."),
    "intake.confirm_removal": (
        "我确认：保存后这 {removed} 人不再是本单位的申报会员",
        "I confirm: these {removed} people are no longer on the unit's list",
    ),
    "intake.conflict_on_store": (
        "保存时发现名单中有 {errors} 处错误（其中有人刚被其他单位申报），名单未保存，请按标注修改后重新上传。",
        "While storing, {errors} errors were found (someone was just submitted by another unit); "
        "the list was not stored. Fix them and upload again.",
    ),
    "intake.size_hint": (
        "文件不超过 {limit} MB，最多 {rows} 行。",
        "Files up to {limit} MB and {rows} rows.",
    ),
    "finding.list_empty": (
        "名单中没有会员数据：表头下面没有任何一行",
        "The list holds no members: there are no rows under the header",
    ),
    "fix.list_empty": (
        "请在表头下方逐行填写会员的姓名、身份证号码和手机号码后再上传；空白名单不能保存",
        "Fill in one member per row under the header, then upload again; a blank list cannot be stored",
    ),
    "progress.material.short": ("{item}（缺{n}份）", "{item} ({n} short)"),
    "reminder.material_short": ("{item}（还差{n}份）", "{item} ({n} still missing)"),
    "progress.code.list_empty": ("空名单", "Empty list"),
}
