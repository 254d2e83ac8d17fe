# Build TCVN3 (ABC) and VNI-Windows encoders from the public VBKey code table
# (khiemdoan/VBKey Modules/mdlCodeTable.bas, stored there as Mac-Roman mojibake).
LOWER = "àáảãạâầấẩẫậăằắẳẵặđèéẻẽẹêềếểễệìíỉĩịòóỏõọôồốổỗộơờớởỡợùúủũụưừứửữựỳýỷỹỵ"
UNI = list(LOWER) + list(LOWER.upper())
NB = "\u00a0"
TCVN3_MAC = ["µ","∏","∂","∑","π","©","«",NB,"»","…","À","®","ª",
 "æ","º","Ω","∆","Æ","Ã","–","Œ","œ","—","™","“","’",
 "”","‘","÷","◊","›","ÿ","‹","ﬁ","ﬂ","„","·","‚","‰",
 "´","Â","Ë","Ê","Á","È","¨","Í","Ì","Î","Ï","Ó","Ô",
 "Û","Ò","Ú","Ù","≠","ı","¯","ˆ","˜","˘","˙","˝","˚",
 "¸","˛","µ","∏","∂","∑","π","¢","«",NB,"»","…","À",
 "°","ª","æ","º","Ω","∆","ß","Ã","–","Œ","œ","—","£",
 "“","’","”","‘","÷","◊","›","ÿ","‹","ﬁ","ﬂ","„","·",
 "‚","‰","§","Â","Ë","Ê","Á","È","•","Í","Ì","Î","Ï",
 "Ó","Ô","Û","Ò","Ú","Ù","¶","ı","¯","ˆ","˜","˘","˙",
 "˝","˚","¸","˛"]
VNI_MAC = ["a¯","a˘","a˚","aı","aÔ","a‚","a‡","a·","aÂ","a„","a‰",
 "aÍ","aË","aÈ","a˙","a¸","aÎ","Ò","e¯","e˘","e˚","eı",
 "eÔ","e‚","e‡","e·","eÂ","e„","e‰","Ï","Ì","Ê","Û","Ú",
 "o¯","o˘","o˚","oı","oÔ","o‚","o‡","o·","oÂ","o„","o‰",
 "Ù","Ù¯","Ù˘","Ù˚","Ùı","ÙÔ","u¯","u˘","u˚","uı","uÔ",
 "ˆ","ˆ¯","ˆ˘","ˆ˚","ˆı","ˆÔ","y¯","y˘","y˚","yı","Ó",
 "Aÿ","AŸ","A€","A’","Aœ","A¬","A¿","A¡","A≈","A√","Aƒ",
 "A"+NB,"A»","A…","A⁄","A‹","AÀ","—","Eÿ","EŸ","E€","E’",
 "Eœ","E¬","E¿","E¡","E≈","E√","Eƒ","Ã","Õ","∆","”","“",
 "Oÿ","OŸ","O€","O’","Oœ","O¬","O¿","O¡","O≈","O√","Oƒ",
 "‘","‘ÿ","‘Ÿ","‘€","‘’","‘œ","Uÿ","UŸ","U€","U’","Uœ",
 "÷","÷ÿ","÷Ÿ","÷€","÷’","÷œ","Yÿ","YŸ","Y€","Y’","Œ"]
assert len(UNI) == len(TCVN3_MAC) == len(VNI_MAC) == 134, (len(TCVN3_MAC), len(VNI_MAC))
TCVN3 = {u: m.encode("mac_roman") for u, m in zip(UNI, TCVN3_MAC)}
VNI = {u: m.encode("mac_roman") for u, m in zip(UNI, VNI_MAC)}

def encode(text: str, table: dict) -> bytes:
    import unicodedata
    out = bytearray()
    for ch in unicodedata.normalize("NFC", text):
        if ch in table:
            out += table[ch]
        elif ord(ch) < 128:
            out += ch.encode("ascii")
        else:
            raise ValueError(f"no byte for {ch!r}")
    return bytes(out)
