"""Messages of validation findings and ingest errors (filled by the rules modules)."""

from __future__ import annotations

ENTRIES: dict[str, tuple[str, str]] = {
    # --- findings: what is wrong -------------------------------------------------------
    "finding.id_missing": ("身份证号码为空", "ID number is empty"),
    "finding.id_length": (
        "身份证号码应为18位，实为{length}位",
        "ID number must have 18 characters, it has {length}",
    ),
    "finding.id_chars": (
        "身份证号码含有非法字符（前17位只能是数字，最后一位是数字或X）",
        "ID number has invalid characters (17 digits, then a digit or X)",
    ),
    "finding.id_region": (
        "身份证号码前两位“{province}”不是有效的省级行政区划代码",
        "ID number starts with “{province}”, which is not a province code",
    ),
    "finding.id_birth_date": (
        "身份证号码中的出生日期“{birth}”不是有效日期（须在1900年以后、不晚于{as_of}）",
        (
            "The birth date “{birth}” in the ID number is not a valid date "
            "(from 1900, not after {as_of})"
        ),
    ),
    "finding.id_too_young": (
        "按身份证号码计算，截至{as_of}年龄为{age}岁，未满16周岁",
        "By the ID number the person is {age} on {as_of}, under 16",
    ),
    "finding.id_check_digit": (
        "身份证号码校验位错误：按前17位应为“{expected}”，实为“{actual}”",
        "Wrong check character: the first 17 digits give “{expected}”, found “{actual}”",
    ),
    "finding.id_15_digit": (
        "这是15位的一代身份证号码，须填写18位号码",
        "This is a 15-digit first-generation ID number; the 18-digit number is required",
    ),
    "finding.id_excel_number": (
        "身份证号码被Excel存成了数字（{value}），末几位已经丢失，无法恢复",
        "Excel stored the ID number as a number ({value}); its last digits are lost",
    ),
    "finding.id_duplicate_sheet": (
        "身份证号码在本表中重复，另见第{other_rows}行",
        "ID number repeated in this sheet, see also row(s) {other_rows}",
    ),
    "finding.id_duplicate_unit": (
        "身份证号码在本单位重复：{where}",
        "ID number repeated within the unit: {where}",
    ),
    "finding.id_duplicate_campaign": (
        "此人已由其他单位申报：{where}",
        "This person was already submitted by another unit: {where}",
    ),
    "finding.phone_missing": (
        "手机号码为空（必填）",
        "Mobile number is empty (required)",
    ),
    "finding.phone_format": (
        "手机号码格式错误：应为以1开头、第二位为3-9的11位数字",
        "Mobile number must be 11 digits starting 13-19",
    ),
    "finding.phone_unallocated": (
        "手机号码号段“{prefix}”未分配给任何运营商，号码不存在",
        "The mobile prefix “{prefix}” is not allocated to any carrier",
    ),
    "finding.name_missing": ("姓名为空", "Name is empty"),
    "finding.name_digits": ("姓名中含有数字", "Name contains digits"),
    "finding.name_spaces": ("姓名中间有空格", "Name contains inner spaces"),
    "finding.name_chars": (
        "姓名含有不允许的字符“{chars}”（只允许汉字和少数民族姓名的间隔号·）",
        "Name contains characters not allowed “{chars}” (Chinese characters and · only)",
    ),
    "finding.age_retired": (
        "按身份证号码计算，截至{as_of}已达到或超过法定退休年龄（{rule}），不在发放范围",
        (
            "By the ID number the person has reached retirement age on {as_of} ({rule}); "
            "not eligible"
        ),
    ),
    "finding.card_unit_mismatch": (
        "表中办卡单位“{value}”与登记的办卡单位“{expected}”不一致",
        "The card unit “{value}” in the sheet differs from the registered “{expected}”",
    ),
    "finding.cell_formula": (
        "单元格是公式（{value}），请粘贴为数值/文本",
        "The cell holds a formula ({value}); paste it as a value",
    ),
    "finding.cell_error_value": (
        "单元格是错误值（{value}）",
        "The cell holds an error value ({value})",
    ),
    "finding.id_county_unknown": (
        "身份证号码前六位“{county}”不在行政区划代码表中，请核对",
        "The region code “{county}” is in no register; please check",
    ),
    "finding.id_normalised": (
        "身份证号码含有空格、全角字符、小写x或不可见字符，已规范为“{suggestion}”",
        (
            "ID number had spaces, full-width or invisible characters or a lower-case x; "
            "normalised to “{suggestion}”"
        ),
    ),
    "finding.phone_duplicate": (
        "手机号码与第{other_rows}行相同",
        "Same mobile number as row(s) {other_rows}",
    ),
    "finding.phone_normalised": (
        "手机号码含有空格、横线、+86前缀、全角字符或被存成数字，已规范为“{suggestion}”",
        (
            "Mobile number had spaces, dashes, +86, full-width characters or was a number; "
            "normalised to “{suggestion}”"
        ),
    ),
    "finding.name_normalised": (
        "姓名含有首尾空格、全角字符、不可见字符或非标准间隔号，已规范为“{suggestion}”",
        (
            "Name had surrounding spaces, full-width, invisible characters or a non-standard dot; "
            "normalised to “{suggestion}”"
        ),
    ),
    "finding.age_check_cadre": (
        "女职工截至{as_of}年龄已达到工人退休年龄（{rule}），请核实是否为干部身份",
        "Woman at worker retirement age on {as_of} ({rule}); check whether she is a cadre",
    ),
    "finding.row_hidden": (
        "此行被隐藏，隐藏行同样会被申报",
        "This row is hidden; hidden rows are submitted too",
    ),
    "finding.cell_merged": (
        "数据区域有合并单元格（{value}）",
        "Merged cells in the data area ({value})",
    ),
    # --- findings: how to fix ----------------------------------------------------------
    "fix.id_missing": ("请填写18位身份证号码", "Enter the 18-character ID number"),
    "fix.id_length": ("请对照身份证原件重新填写", "Re-enter it from the ID card"),
    "fix.id_chars": (
        "请删除多余字符，对照身份证原件重新填写",
        "Remove the stray characters; re-enter from the ID card",
    ),
    "fix.id_region": (
        "请对照身份证原件核对前六位",
        "Check the first six digits on the ID card",
    ),
    "fix.id_birth_date": (
        "请对照身份证原件核对第7-14位出生日期",
        "Check digits 7-14 (birth date) on the ID card",
    ),
    "fix.id_too_young": (
        "请核对出生日期；未满16周岁不在发放范围",
        "Check the birth date; under-16s are not eligible",
    ),
    "fix.id_check_digit": (
        "号码有抄错的数字，请对照身份证原件逐位核对",
        "A digit was mistyped; compare digit by digit with the ID card",
    ),
    "fix.id_15_digit": (
        "对应的18位号码可能是 {suggestion}，请对照本人现行身份证核实后填写",
        "The 18-digit number may be {suggestion}; confirm against the current ID card",
    ),
    "fix.id_excel_number": (
        "请把身份证号码列设置为“文本”格式后重新输入完整号码",
        "Format the ID column as Text, then re-enter the full number",
    ),
    "fix.id_duplicate_sheet": (
        "同一人只能申报一次，请删除重复行或更正号码",
        "Each person once only: delete the duplicate or correct the number",
    ),
    "fix.id_duplicate_unit": (
        "同一人只能申报一次，请删除重复行或更正号码",
        "Each person once only: delete the duplicate or correct the number",
    ),
    "fix.id_duplicate_campaign": (
        "请与对方单位或区工会核实此人的会籍所在单位，只由一个单位申报",
        "Agree with the other unit or your district union which one holds the membership; only that unit applies",
    ),
    "fix.phone_missing": (
        "请填写手机号码（可填写亲属的手机号）",
        "Enter a mobile number (a relative's is allowed)",
    ),
    "fix.phone_format": ("请填写11位手机号码", "Enter an 11-digit mobile number"),
    "fix.phone_unallocated": ("请核对手机号码", "Check the mobile number"),
    "fix.name_missing": (
        "请按身份证填写姓名",
        "Enter the name as on the ID card",
    ),
    "fix.name_digits": ("请按身份证填写姓名", "Enter the name as on the ID card"),
    "fix.name_spaces": (
        "请删除姓名中的空格，可改为“{suggestion}”",
        "Remove the spaces, e.g. “{suggestion}”",
    ),
    "fix.name_chars": ("请按身份证填写姓名", "Enter the name as on the ID card"),
    "fix.age_retired": (
        "已达退休年龄人员不在发放范围，请删除此行",
        "Retired persons are not eligible; delete the row",
    ),
    "fix.card_unit_mismatch": (
        "请把办卡单位改为“{expected}”",
        "Change the card unit to “{expected}”",
    ),
    "fix.cell_formula": (
        "复制此列后“选择性粘贴→数值”",
        "Copy the column and Paste Special → Values",
    ),
    "fix.cell_error_value": ("请填写正确的值", "Enter the correct value"),
    "fix.id_county_unknown": (
        "如与身份证一致则无需修改",
        "No change needed if it matches the ID card",
    ),
    "fix.id_normalised": (
        "建议改为“{suggestion}”（系统已按此处理）",
        "Write it as “{suggestion}” (already treated so)",
    ),
    "fix.phone_duplicate": (
        "如确为亲属共用号码可保留，否则请更正",
        "Keep it if a relative's phone is shared; otherwise correct it",
    ),
    "fix.phone_normalised": (
        "建议改为“{suggestion}”（系统已按此处理）",
        "Write it as “{suggestion}” (already treated so)",
    ),
    "fix.name_normalised": (
        "建议改为“{suggestion}”（系统已按此处理）",
        "Write it as “{suggestion}” (already treated so)",
    ),
    "fix.age_check_cadre": (
        "如为干部身份可保留；如为工人身份已退休，请删除此行",
        "Keep her if she is a cadre; delete the row if she is a worker",
    ),
    "fix.row_hidden": (
        "请取消隐藏并确认此行确需申报，否则删除",
        "Unhide the row and confirm it belongs; otherwise delete it",
    ),
    "fix.cell_merged": (
        "请取消合并单元格，每格填写各自的值",
        "Unmerge the cells and fill each one",
    ),
    # --- retirement rule sets (shown inside messages) ------------------------------------
    "rule.retire_2014_male": ("男60周岁", "men 60"),
    "rule.retire_2014_female_worker": ("女工人50周岁", "women workers 50"),
    "rule.retire_2014_female_cadre": ("女干部55周岁", "women cadres 55"),
    "rule.retire_2025": (
        "{years}周岁{months}个月（2025年渐进式延迟退休）",
        "{years} years {months} months (2025 gradual reform)",
    ),
    "where.other_sheet": ("工作表“{sheet}”第{row}行", "sheet “{sheet}” row {row}"),
    # --- ingest errors -------------------------------------------------------------------
    "ingest.unreadable": ("无法读取文件：{detail}", "Cannot read the file: {detail}"),
    "ingest.empty_file": ("文件是空的", "The file is empty"),
    "ingest.file_too_large": (
        "文件过大（{size_mb} MB），上限为 {limit_mb} MB",
        "The file is too large ({size_mb} MB); the limit is {limit_mb} MB",
    ),
    "ingest.not_a_spreadsheet": (
        "这不是Excel表格（.xlsx/.xls）或CSV文件，请上传个人信息采集表",
        "Not an Excel workbook (.xlsx/.xls) or CSV file; upload the personal information sheet",
    ),
    "ingest.encrypted": (
        "工作簿设置了打开密码，请取消密码后另存再上传",
        "The workbook is password-protected; remove the password, save and upload again",
    ),
    "ingest.unsafe_archive": (
        "文件解压后异常庞大或结构异常（{detail}），已拒绝",
        "The file expands abnormally or is malformed ({detail}); rejected",
    ),
    "ingest.unsafe_xml": (
        "文件含有不安全的XML声明（DOCTYPE/ENTITY），已拒绝",
        "The file contains unsafe XML declarations (DOCTYPE/ENTITY); rejected",
    ),
    "ingest.unknown_encoding": (
        "无法识别CSV文件的编码（支持UTF-8、GBK、GB18030），请另存为Excel后上传",
        "Unknown CSV encoding (UTF-8, GBK and GB18030 are supported); save as Excel and retry",
    ),
    "ingest.too_many_rows": (
        "数据行数超过上限：工作表“{sheet}”有 {rows} 行以上，每个文件最多 {limit} 行，请拆分后上传",
        (
            "Too many rows: sheet “{sheet}” has more than {rows} rows, at most {limit} per file; "
            "split it"
        ),
    ),
    "ingest.too_many_columns": (
        "工作表“{sheet}”列数过多（{cols} 列），不是个人信息采集表",
        "Sheet “{sheet}” has too many columns ({cols}); not a personal information sheet",
    ),
    "ingest.sheet_too_large": (
        "工作表“{sheet}”的表格范围过大：从A1到最远的单元格共 {rows} 行 × {cols} 列，超过 {limit} 个单元格的上限。"
        "请删除数据区域以外多余的行和列（或把名单复制到新的工作表），另存后重新上传",
        (
            "Sheet “{sheet}” spans too large a range: {rows} rows × {cols} columns from A1 to its "
            "furthest cell, over the {limit}-cell limit. Delete the rows and columns beyond the list "
            "(or copy the list to a new sheet), save and upload again"
        ),
    ),
    "ingest.reader_crashed": (
        "文件无法读取（处理出错，文件结构可能异常），请用Excel打开后另存为新的 .xlsx 文件再上传",
        "The file could not be read (processing failed; its structure may be damaged); open it in "
        "Excel, save it as a new .xlsx file and upload again",
    ),
    "ingest.reader_timeout": (
        "文件无法读取（处理超时），请用Excel打开后另存为新的 .xlsx 文件再上传，名单很大时请拆分",
        "The file could not be read (processing timed out); open it in Excel, save it as a new "
        ".xlsx file and upload again, splitting a very large list",
    ),
    "ingest.no_header": (
        "找不到表头：没有任何工作表含有“姓名”“身份证号码”“手机号码”等列名",
        (
            "No header found: no sheet has columns such as 姓名 (name), 身份证号码 (ID), "
            "手机号码 (mobile)"
        ),
    ),
    "ingest.missing_columns": (
        "工作表“{sheet}”缺少必填列：{columns}",
        "Sheet “{sheet}” lacks required columns: {columns}",
    ),
    "ingest.corrupt": (
        "文件已损坏或格式异常，无法读取（{detail}）",
        "The file is damaged or malformed ({detail})",
    ),
}
