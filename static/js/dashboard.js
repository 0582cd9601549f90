// Our only script besides htmx. No inline scripts: the pages work under a strict CSP.
