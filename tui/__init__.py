"""nnplay's faces: the Textual playground (``nnplay.tui.app``) and the headless CLI (``nnplay.cli``).

Both only draw what the engine reports; neither does any math of its own.
"""
