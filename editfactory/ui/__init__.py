"""Panel components over the models; the only package (with apps/) that imports Panel."""
