"""Built-in sections of the HTML report, one module each; see ``truecost.outputs.html.registry``."""
