import click

create_user_command = click.Command("create-user", callback=lambda: None)
