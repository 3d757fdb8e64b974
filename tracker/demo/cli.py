import click

demo_data_command = click.Command("demo-data", callback=lambda: None)
demo_credentials_command = click.Command("demo-credentials", callback=lambda: None)
