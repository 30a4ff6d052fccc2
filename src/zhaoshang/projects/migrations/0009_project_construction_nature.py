# Written by hand while the tree did not import (another change in progress); what makemigrations writes.

from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('projects', '0008_status_thresholds'),
    ]

    operations = [
        migrations.AddField(
            model_name='historicalproject',
            name='construction_nature',
            field=models.CharField(blank=True, choices=[('new', '新建'), ('expansion', '扩建'), ('renovation', '改建'), ('retrofit', '技术改造'), ('relocation', '迁建')], max_length=20, verbose_name='建设性质'),
        ),
        migrations.AddField(
            model_name='project',
            name='construction_nature',
            field=models.CharField(blank=True, choices=[('new', '新建'), ('expansion', '扩建'), ('renovation', '改建'), ('retrofit', '技术改造'), ('relocation', '迁建')], max_length=20, verbose_name='建设性质'),
        ),
    ]
