"""Knowledge base (issue 11 item 5): articles with tags, ranked search for Chinese and English,
view counts. Models in teams.models.knowledge; links from stages, competitors and deals are
pipeline's (pipeline.models.knowledge), which adds its figures through salesops.article_figures."""
