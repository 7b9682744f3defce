"""parse, parse_lines, Line and render: fields, round trips, streaming."""

import io

import pytest

import audit_cef
from conftest import DOCUMENTED


def test_documented_entry_every_field():
    line = audit_cef.parse(DOCUMENTED)
    assert line.prefix == "2025-06-18T21:02:36Z konghq.com"
    assert (line.version, line.vendor, line.product, line.device_version) == ("0", "KongInc", "Konnect", "1.0")
    assert (line.event_class_id, line.name, line.severity, line.severity_level) == (
        "konnect", "Authz.control-planes", "1", 1)
    assert line.extensions == {
        "rt": "1750280466889", "src": "127.0.0.6", "action": "list", "granted": "true",
        "org_id": "777db3e4-5cb7-4dd5-b51c-9878096a6999",
        "principal_id": "eb999f01-5976-4f4b-9fbc-dd5d514bd675",
        "trace_id": "3959872677347089807", "user_agent": "grpc-node-js/1.12.4",
    }
    assert [k for k, _ in line.pairs()] == [
        "rt", "src", "action", "granted", "org_id", "principal_id", "trace_id", "user_agent"]
    assert line.unparsed is None
    assert len(line) == 8 and "src" in line and "sig" not in line
    assert line["action"] == "list"
    with pytest.raises(KeyError):
        line["sig"]


def test_round_trip_is_byte_exact():
    for text in [
        DOCUMENTED,
        r"CEF:0|a\|b|c\\d|1|id|name|Very-High|msg=a\=b\nc\\d path=c:\\tmp",
        "CEF:1|v|p|1|id|n|10|",
        "<134>Apr 14 05:39:08 konghq.com CEF:0|KongInc|Konnect|1.0|konnect|Authz.usage|6|act=read",
    ]:
        line = audit_cef.parse(text)
        assert line.to_cef() == text
        assert str(line) == text
        assert audit_cef.parse(line.to_cef()) == line


def test_escapes_are_decoded_and_encoded():
    line = audit_cef.parse(r"CEF:0|a\|b|p|1|id|n\\m|5|msg=a\=b\nc\rd\\e")
    assert line.vendor == "a|b" and line.name == "n\\m"
    assert line.get("msg") == "a=b\nc\rd\\e"
    text = audit_cef.render(vendor="a|b", product="p", device_version="1", event_class_id="id", name="n\\m",
                            severity=5, extensions=[("msg", "a=b\nc\rd\\e")])
    assert text == r"CEF:0|a\|b|p|1|id|n\\m|5|msg=a\=b\nc\rd\\e"
    assert audit_cef.parse(text).get("msg") == "a=b\nc\rd\\e"


def test_render_values_and_parse_back():
    text = audit_cef.render(vendor="v", product="p", device_version="1", event_class_id="id", name="n",
                            severity="High", extensions={"cnt": 3, "ok": False, "s": "x y"},
                            prefix="2025-06-18T21:02:36Z host", version=1)
    assert text == "2025-06-18T21:02:36Z host CEF:1|v|p|1|id|n|High|cnt=3 ok=false s=x y"
    line = audit_cef.parse(text)
    assert line.extensions == {"cnt": "3", "ok": "false", "s": "x y"}
    assert line.severity_level is None and line.severity == "High"
    with pytest.raises(TypeError):
        audit_cef.render(vendor="v", product="p", device_version="1", event_class_id="id", name="n",
                         severity=1, extensions={"x": 1.5})


def test_duplicates_last_wins_and_order_kept():
    line = audit_cef.parse("CEF:0|v|p|1|id|n|5|a=1 b=2 a=3")
    assert line.extensions == {"a": "3", "b": "2"}
    assert line.pairs() == [("a", "1"), ("b", "2"), ("a", "3")]
    assert line.get("a") == "3" and line.get("zz", "d") == "d"


def test_bytes_and_str_alike_offsets_index_what_was_passed():
    text = "CEF:0|vé|p|1|id|n|5|k=v"
    assert audit_cef.parse(text) == audit_cef.parse(text.encode())
    bad = "CEF:0|vé|p|1|id|n|99|k=v"
    with pytest.raises(audit_cef.Error) as as_str:
        audit_cef.parse(bad)
    with pytest.raises(audit_cef.Error) as as_bytes:
        audit_cef.parse(bad.encode())
    assert as_str.value.kind == as_bytes.value.kind == "invalid_severity"
    assert bad[as_str.value.offset:].startswith("99")
    assert bad.encode()[as_bytes.value.offset:].startswith(b"99")
    assert as_bytes.value.offset == as_str.value.offset + 1


def test_lenient_and_strict():
    text = r"CEF:0|v|p|1|id|n|5|b64=aGk= path=c:\tmp"
    line = audit_cef.parse(text)
    assert line.get("b64") == "aGk=" and line.get("path") == "c:\\tmp"
    with pytest.raises(audit_cef.CefSyntaxError):
        audit_cef.parse(text, strict=True)


def test_parse_prefix_forms():
    line = audit_cef.parse(DOCUMENTED)
    prefix = line.parse_prefix()
    assert prefix["form"] == "rfc3339" and prefix["host"] == "konghq.com"
    assert prefix["time"].isoformat() == "2025-06-18T21:02:36+00:00"
    bsd = audit_cef.parse("<134>Apr 14 05:39:08 konghq.com CEF:0|v|p|1|id|n|5|").parse_prefix()
    assert (bsd["form"], bsd["pri"], bsd["month"], bsd["day"], bsd["clock"]) == ("bsd", 134, 4, 14, "05:39:08")
    assert audit_cef.parse("CEF:0|v|p|1|id|n|5|").parse_prefix() is None


def test_parse_lines_streams_files_text_and_binary(tmp_path):
    path = tmp_path / "log.cef"
    lines = [f"CEF:0|v|p|1|id|n{i}|5|i={i}" for i in range(1000)]
    path.write_text("\n".join(lines) + "\n")
    with open(path) as text_file:
        names = [line.name for line in audit_cef.parse_lines(text_file)]
    assert names == [f"n{i}" for i in range(1000)]
    with open(path, "rb") as binary_file:
        values = [line.get("i") for line in audit_cef.parse_lines(binary_file)]
    assert values == [str(i) for i in range(1000)]
    # A generator is consumed lazily, one line at a time.
    seen = []

    def gen():
        for text in lines[:3]:
            seen.append(text)
            yield text

    it = audit_cef.parse_lines(gen())
    assert next(it).name == "n0" and len(seen) == 1


def test_parse_lines_error_modes():
    lines = ["CEF:0|v|p|1|id|a|5|", "garbage", b"CEF:0|v|p|1|id|b|5|k=\xff", "CEF:0|v|p|1|id|c|5|"]
    with pytest.raises(audit_cef.CefSyntaxError) as raised:
        list(audit_cef.parse_lines(lines))
    assert raised.value.kind == "missing_cef_marker" and raised.value.lineno == 2
    assert [line.name for line in audit_cef.parse_lines(lines, errors="skip")] == ["a", "c"]
    mixed = list(audit_cef.parse_lines(lines, errors="return"))
    assert [type(x).__name__ for x in mixed] == ["Line", "CefSyntaxError", "CefSyntaxError", "Line"]
    assert (mixed[2].kind, mixed[2].offset, mixed[2].lineno) == ("not_utf8", 21, 3)
    with pytest.raises(ValueError):
        audit_cef.parse_lines(lines, errors="ignore")
    with pytest.raises(TypeError):
        list(audit_cef.parse_lines([1]))


def test_line_dict_shape_of_cef_parse():
    d = audit_cef.parse(DOCUMENTED).to_dict()
    assert list(d) == ["prefix", "version", "vendor", "product", "device_version", "event_class_id", "name",
                       "severity", "extensions"]


def test_type_errors_for_wrong_arguments():
    with pytest.raises(TypeError):
        audit_cef.parse(42)
    with pytest.raises(TypeError):
        audit_cef.parse(bytearray(b"CEF:0|v|p|1|id|n|5|"))
