"""The privacy notice names the controller and DPO, the lawful bases, the retention schedule from the policy
files, people's rights and how to complain to the ICO."""


def test_privacy_notice_is_built_from_the_config_and_policy_files(client, app):
    app.config["DATA_CONTROLLER"], app.config["DPO_CONTACT"] = "The Test Commissioner's Office", "dpo@test.example"
    page = client.get("/privacy").get_data(as_text=True)
    assert "The Test Commissioner&#39;s Office" in page and "dpo@test.example" in page
    assert "Article 9(2)(a)" in page and "Schedule 1, paragraph 18" in page
    assert "Anonymised 6 months after the decision" in page  # policy/retention.toml
    assert "Deleted 6 months after the decision" in page  # policy/vetting.toml
    assert "ico.org.uk/make-a-complaint" in page and "Your rights" in page
