from django.db import migrations, models
from django.db.models import Count, OuterRef, Subquery, Value
from django.db.models.functions import Coalesce


def count_published_tips(apps, schema_editor):
    """Fill the new counts: each category's tips with the published status, scheduled included."""
    Category = apps.get_model("tips", "Category")
    Tip = apps.get_model("tips", "Tip")
    counts = (
        Tip.objects.filter(category=OuterRef("pk"), status="published")
        .order_by()
        .values("category")
        .annotate(n=Count("pk"))
        .values("n")
    )
    Category.objects.update(published_tip_count=Coalesce(Subquery(counts), Value(0)))


class Migration(migrations.Migration):
    dependencies = [
        ("tips", "0013_tip_sitemap_index"),
    ]

    operations = [
        migrations.AddField(
            model_name="category",
            name="published_tip_count",
            field=models.PositiveIntegerField(default=0, editable=False),
        ),
        migrations.RunPython(count_published_tips, migrations.RunPython.noop),
    ]
