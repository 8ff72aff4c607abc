"""Images: what decoding one would cost (``limits``), uploads checked and re-encoded
(``uploads``), renditions per place (``renditions``), metadata removed (``metadata``).

Works on files and storage only: imports no model, so models, porting and views can use it.
"""
