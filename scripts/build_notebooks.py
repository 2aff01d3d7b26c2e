"""Write the thin notebooks of notebooks/<scheme>/ (committed without outputs).

Run after changing the cell list below; the notebooks are what papermill executes.
"""

from pathlib import Path

import nbformat
from nbformat.v4 import new_code_cell, new_notebook

ROOT = Path(__file__).resolve().parents[1]
KERNEL = {"kernelspec": {"display_name": "Python 3", "language": "python", "name": "python3"},
          "language_info": {"name": "python"}}


def cell(source: str, name: str = "", **metadata):
    """A code cell; ``name`` gives it its own id (a cell added later keeps every other cell's id unchanged)."""
    c = new_code_cell(source.strip("\n"))
    c.metadata.update(metadata)
    c.id = name
    return c


def notebook(cells, title):
    unnamed = [c for c in cells if not c.id]
    for i, c in enumerate(unnamed):
        c.id = f"cell-{i:02d}"  # stable ids: the committed notebook does not change on every rebuild
    return new_notebook(cells=cells, metadata={**KERNEL, "title": title})


def panels(args: str):
    """The committee's view of the expert panels (committee/panel_sections.py): the cohort's, or a unit's own."""
    if args == "book":
        return cell('''# 专家评分：偏离专家平均较远或应回避的评分、各专家的评分倾向、去掉一位专家后改变的结果
from evalbook.committee.panel_sections import cohort_panels

cohort_panels(book)''', name="cell-panels")
    return cell(f'''# 专家评分与回避：本单位的专家评分及标记，以及去掉哪位专家会改变本单位的结果
from evalbook.committee.panel_sections import unit_panel

unit_panel({args})''', name="cell-panels")


def parameters(scheme: str, year: int, **unit: str):
    """The tagged first cell: defaults that run on the demo data; papermill injects a run's values after it."""
    lines = ["# 参数（papermill 在本单元格之后插入本次运行的参数）Parameters", f'scheme = "{scheme}"', f"year = {year}",
             *[f'{name} = "{value}"' for name, value in unit.items()],
             'data_dir = ""             # 数据目录：为空时用环境变量 EVALBOOK_DATA，未设置则用本仓库的 data/；'
             '相对路径相对于运行时的工作目录',
             'output_dir = ""           # 非空时把结果写入 output_dir/result.json',
             'validation = ""           # 批量运行时为 validation.json 的路径；为空则本笔记本自行校验']
    return cell("\n".join(lines), tags=["parameters"])


def opening(report: str, header: str):
    """Read, validate and score the year, then show the header: the same second cell in every notebook."""
    return cell(f"""# 读取、校验（Great Expectations）并评分整个年度；数据有误时在此停止并列出问题
from evalbook.schemes.{report} import report
from evalbook.notebook.year import open_year, save_result

book = open_year(scheme, year, data_dir, validation)
report.{header}""")


def closing(validation_args: str, unit: str):
    """The last cells of every notebook: validation result, 评分口径, input files, machine-readable result."""
    return [cell(f"# 数据校验结果\nreport.validation_summary({validation_args})"),
            cell("# 评分口径（评分规则中的全部 [policy] 选择）\nreport.policy_table(book)"),
            cell("# 输入文件及其 sha256\nreport.inputs_table(book)"),
            cell(f"# 机器可读结果（供复核比对）\nsave_result(book, {unit}, output_dir)")]


INSTITUTION = [
    parameters("wendeng-featured", 2023, institution="RMYY"),
    opening("wendeng_featured", "institution_header(book, institution)"),
    cell('''# 成绩构成：附件3与附件4按评分规则的权重加权，减去扣分
report.score_buildup(book, institution)'''),
    cell('''# 附件3：16项得分，每一分的来由
report.items_table(book, institution)'''),
    cell('''# 与本组平均比较
report.items_chart(book, institution)'''),
    cell('''# 附件4：每个特色项目的专家评分
report.expert_tables(book, institution)'''),
    panels("book, institution"),
    cell('''# 附件6：项目指标同比
report.stats_table(book, institution)'''),
    cell('''# 附件5：月度工作台账
report.ledger_table(book, institution)'''),
    cell('''# 组内排名
report.group_chart(book, institution)'''),
    cell('''# 数据来源：本单位报送的工作簿版本，每行数据来自哪个版本
from evalbook.notebook.sections import submissions_section

submissions_section(book, institution)'''),
    *closing("book, institution", "institution"),
]

COHORT = [
    parameters("wendeng-featured", 2023),
    opening("wendeng_featured", "cohort_header(book)"),
    cell('''# 一组 区直医院：单位排名与单位奖
report.group_ranking(book, "district")'''),
    cell('''# 二组 基层医疗机构：单位排名与单位奖
report.group_ranking(book, "primary")'''),
    cell('''# 一组：项目奖
report.project_awards(book, "district")'''),
    cell('''# 二组：项目奖
report.project_awards(book, "primary")'''),
    cell('''# 奖金合计
report.prize_totals(book)'''),
    cell('''# 各项平均得分
report.item_averages(book)'''),
    panels("book"),
    *closing("book", "None"),
]

SPECIALTY = [
    parameters("naiman-specialty", 2025, institution="NMRM", specialty="心血管内科"),
    opening("naiman_specialty", "specialty_header(book, institution, specialty)"),
    cell('''# 得分构成：客观数据与现场核查按评分规则的权重加权
report.score_buildup(book, institution, specialty)'''),
    cell('''# 承诺书量化指标的达成度
report.commitments_table(book, institution, specialty)'''),
    cell('''# 各类别达成度
report.attainment_chart(book, institution, specialty)'''),
    cell('''# 警告：负向指标变差、数据不实
report.warnings_section(book, institution, specialty)'''),
    cell('''# 现场核查评分
report.onsite_table(book, institution, specialty)'''),
    panels("book, institution, specialty"),
    cell('''# 调查表：本年度与基线
report.survey_table(book, institution, specialty)'''),
    cell('''# 数据来源：本专科报送的工作簿版本，每行数据来自哪个版本
from evalbook.notebook.sections import submissions_section

submissions_section(book, institution, specialty=specialty)'''),
    *closing("book, institution", "(institution, specialty)"),
]

NAIMAN_COHORT = [
    parameters("naiman-specialty", 2025),
    opening("naiman_specialty", "cohort_header(book)"),
    cell('''# 建设专科排名、合格与推荐
report.ranking(book)'''),
    cell('''# 候选专科（待复核）
report.candidates_table(book)'''),
    cell('''# 候选专科的基线调查表
report.candidate_surveys(book)'''),
    panels("book"),
    *closing("book", "None"),
]

if __name__ == "__main__":
    folder = ROOT / "notebooks" / "wendeng-featured"
    folder.mkdir(parents=True, exist_ok=True)
    nbformat.write(notebook(INSTITUTION, "特色医疗综合考评 单位报告"), folder / "institution.ipynb")
    nbformat.write(notebook(COHORT, "特色医疗综合考评 年度结果"), folder / "cohort.ipynb")
    folder = ROOT / "notebooks" / "naiman-specialty"
    folder.mkdir(parents=True, exist_ok=True)
    nbformat.write(notebook(SPECIALTY, "临床重点专科建设评估 专科报告"), folder / "specialty.ipynb")
    nbformat.write(notebook(NAIMAN_COHORT, "临床重点专科建设评估 年度通报"), folder / "cohort.ipynb")
    print("written", folder)
