from pathlib import Path

from tests.scenario import RULES
from tracker.items.status import status_rule_in_words

README = Path(__file__).resolve().parents[2] / "README.md"


def test_readme_states_the_status_rule_that_the_code_applies():
    text = README.read_text()
    for number, (title, rule) in enumerate(status_rule_in_words(RULES), start=1):
        assert f"{number}. **{title}.** {rule}" in text
