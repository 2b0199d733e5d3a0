from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("consultations", "0001_initial"),
    ]

    operations = [
        migrations.AddIndex(
            model_name="comment",
            index=models.Index(
                condition=models.Q(("parent__isnull", True)),
                fields=["paragraph", "created_at", "id"],
                name="consultation_top_comments",
            ),
        ),
    ]
