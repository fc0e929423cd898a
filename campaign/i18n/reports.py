"""Headers and titles of exported workbooks, bulletins and bank files."""

from __future__ import annotations

ENTRIES: dict[str, tuple[str, str]] = {
    # marked-up workbook
    "report.sheet_findings": ("错误清单", "Findings"),
    "report.title_findings": (
        "会员服务卡个人信息校验结果",
        "Member card sheet validation result",
    ),
    "report.summary": (
        "文件：{file}　校验日期：{as_of}　数据行：{rows}　有错误的行：{bad_rows}　错误：{errors}　警告：{warnings}",
        (
            "File: {file}  As of: {as_of}  Rows: {rows}  Rows with errors: {bad_rows}  "
            "Errors: {errors}  Warnings: {warnings}"
        ),
    ),
    "report.verdict_clean": (
        "没有错误，可以提交（红色为错误，黄色为警告，请查看单元格批注）",
        "No errors; ready to submit (red: error, yellow: warning, see the cell comments)",
    ),
    "report.verdict_errors": (
        "有错误，请按批注修改后重新校验（红色为错误，黄色为警告）",
        (
            "There are errors: fix them as the comments say and validate again "
            "(red: error, yellow: warning)"
        ),
    ),
    "report.col_sheet": ("工作表", "Sheet"),
    "report.col_row": ("行号", "Row"),
    "report.col_column": ("列", "Column"),
    "report.col_code": ("代码", "Code"),
    "report.col_severity": ("级别", "Severity"),
    "report.col_message": ("问题", "Problem"),
    "report.col_suggestion": ("修改建议", "How to fix"),
    "report.col_value": ("单元格内容", "Cell content"),
    "report.severity_error": ("错误", "Error"),
    "report.severity_warning": ("警告", "Warning"),
    "report.comment_error": ("错误", "Error"),
    "report.comment_warning": ("警告", "Warning"),
    "report.comment_fix": ("修改", "Fix"),
    # member columns (template, bank file)
    "report.col_seq": ("序号", "No."),
    "report.col_name": ("姓名", "Name"),
    "report.col_id": ("身份证号码", "ID number"),
    "report.col_phone": ("手机号码", "Mobile"),
    "report.col_dept": ("车间/部门", "Workshop / department"),
    "report.col_unit": ("办卡单位", "Card unit"),
    # template
    "template.title": (
        "申报会员服务卡个人信息采集表",
        "Member service card personal information sheet",
    ),
    "template.sheet_data": ("个人信息采集表", "Personal information"),
    "template.sheet_help": ("说明", "Instructions"),
    "template.unit_line": ("办卡单位：", "Card unit: "),
    "template.id_rule_title": ("身份证号码", "ID number"),
    "template.id_rule": (
        "请填写18位身份证号码（最后一位可为X）",
        "Enter the 18-character ID number",
    ),
    "template.phone_rule_title": ("手机号码", "Mobile"),
    "template.phone_rule": ("请填写11位手机号码", "Enter the 11-digit mobile number"),
    "template.help": (
        (
            "填写说明\n"
            "1. 在“办卡单位：”后填写单位全称（前冠工会层级），须与《申办会员服务卡单位信息审核表》一致。\n"
            "2. 每人一行：姓名须与身份证一致；身份证号码18位；手机号码11位，必填，可填写亲属手机号。\n"
            "3. 身份证号码、手机号码两列已设为“文本”格式，请勿改为数字格式，否则号码末几位会丢失。\n"
            "4. 不要使用公式、合并单元格或隐藏行；不要删除或改动表头。\n"
            "5. 发放范围：在职且与单位有稳定劳动关系、本人自愿的工会会员；外籍人员、已达退休年龄人员、"
            "返聘离退休人员和临时工不在发放范围。\n"
            "6. 大单位可按车间/部门/班组分表填写（每个工作表一个车间，表头相同）。\n"
            "7. 填好后用校验转换程序检查，按批注改正至没有错误后再提交。"
        ),
        (
            "Instructions\n"
            "1. After 办卡单位 write the unit's full name prefixed with its union hierarchy, as on the "
            "unit form.\n"
            "2. One person per row: name as on the ID card; 18-character ID number; 11-digit mobile "
            "(required; a relative's is allowed).\n"
            "3. The ID and mobile columns are formatted as Text; do not change them to numbers or the "
            "last digits are lost.\n"
            "4. No formulas, merged cells or hidden rows; do not change the header.\n"
            "5. Eligible: in-service union members with a stable employment relation who volunteer; "
            "not foreigners, retirees (incl. rehired) or temporary staff.\n"
            "6. Large units may use one sheet per workshop with the same header.\n"
            "7. Run the validation program and fix every error before submitting."
        ),
    ),
    # bank batch-opening file
    "bank.col_unit": ("办卡单位", "Card unit"),
    "bank.col_name": ("姓名", "Name"),
    "bank.col_id_type": ("证件类型", "ID type"),
    "bank.col_id": ("证件号码", "ID number"),
    "bank.col_phone": ("手机号码", "Mobile"),
    "bank.id_type": ("身份证", "Resident ID card"),
    "bank.file_suffix": ("批量开卡", "batch_opening"),
}
