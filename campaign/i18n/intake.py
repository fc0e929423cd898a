"""Labels of the intake page (check and upload a member sheet)."""

from __future__ import annotations

ENTRIES: dict[str, tuple[str, str]] = {
    "intake.caption": (
        "下载模板填写后上传：系统逐格校验身份证号码、手机号码、姓名和退休年龄，标出错误并说明如何修改。",
        "Download the template, fill it in and upload it: every cell is checked and each "
        "problem comes with how to fix it.",
    ),
    "intake.card_unit": ("办卡单位：{name}", "Card unit: {name}"),
    "intake.pick_unit": ("请先在左侧选择一个基层单位。", "Choose a unit in the sidebar first."),
    "intake.template": ("下载空白采集表模板", "Download the blank template"),
    "intake.upload": ("上传个人信息采集表（.xlsx / .xls / .csv）", "Upload the sheet (.xlsx / .xls / .csv)"),
    "intake.checking": ("正在读取并校验…", "Reading and checking…"),
    "intake.checked": ("读取和校验完成。", "Read and checked."),
    "intake.rows": ("数据行", "Rows"),
    "intake.errors": ("错误", "Errors"),
    "intake.warnings": ("警告", "Warnings"),
    "intake.clean_rows": ("无错误的行", "Clean rows"),
    "intake.download_markup": ("下载标注了错误的表格", "Download the marked-up workbook"),
    "intake.markup_suffix": ("校验结果", "checked"),
    "intake.clean": ("没有错误，可以保存为本单位的名单。", "No errors: it can be stored as the unit's list."),
    "intake.has_errors": ("有 {errors} 处错误，请按标注修改后重新上传。", "{errors} errors: fix them and upload again."),
    "intake.store": ("保存为本单位名单", "Store as the unit's list"),
    "intake.stored": ("已保存：第 {attempt} 次上传，{members} 人。", "Stored: upload #{attempt}, {members} members."),
    "intake.recognised": ("这个文件已经上传过（第 {attempt} 次上传），没有重复保存。", "This file was uploaded before (upload #{attempt}); nothing was stored twice."),
    "intake.col_sheet": ("工作表", "Sheet"),
    "intake.col_row": ("行", "Row"),
    "intake.col_column": ("列", "Column"),
    "intake.col_severity": ("级别", "Severity"),
    "intake.col_message": ("问题", "Problem"),
    "intake.col_fix": ("修改建议", "How to fix"),
    "intake.col_value": ("内容（已遮挡）", "Content (masked)"),
}
