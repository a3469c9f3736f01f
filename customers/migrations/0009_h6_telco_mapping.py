"""The saved customer import mapping for IBM's sample "Telco Customer Churn" file
(shared/data/real/ibm-telco-customer-churn, see SOURCES.md): customerID is the external reference (and,
the file having no names, the account name), Contract the contract type, MonthlyCharges the MRR, tenure
the months as a customer, Churn the outcome. The file states no currency; its telco is American (IBM's
sample), so USD. Every other column is kept, as given, in Account.source_attributes."""
from django.db import migrations

NAME = "IBM Telco"
MAPPING = {
    "columns": {"external_ref": "customerID", "term": "Contract", "mrr": "MonthlyCharges", "tenure": "tenure",
                "churned": "Churn"},
    "values": {
        "term": {"Month-to-month": "month_to_month", "One year": "one_year", "Two year": "two_year"},
        "churned": {"Yes": "yes", "No": "no"},
    },
    "currency": "USD",
    "product": "Telco services",
}


def install(apps, schema_editor):
    apps.get_model("customers", "CustomerImportMapping").objects.get_or_create(name=NAME, defaults=MAPPING)


def remove(apps, schema_editor):
    apps.get_model("customers", "CustomerImportMapping").objects.filter(name=NAME).delete()


class Migration(migrations.Migration):
    dependencies = [("customers", "0008_h6_spend_customer_import")]
    operations = [migrations.RunPython(install, remove)]
