using System.Text.RegularExpressions;
using ConsentApi.Features.Consents;
using ConsentApi.Tests.Infrastructure;

namespace ConsentApi.Tests.Bench;

/// <summary>
/// bench/pgbench/check-statements.sql is the check's statements as the API sends them, for pgbench: one per line, in the
/// order the facts reader sends them, its parameters as pgbench variables cast to the types the API binds them with (the
/// check asks at now, so the moment and the moment known are both <c>:at</c>). A change to the reader's SQL that is not
/// copied there fails here.
/// </summary>
public sealed class CheckStatementsTests
{
    private static readonly Dictionary<string, string> Variables = new()
    {
        ["Organisation"] = ":org::uuid",
        ["PupilIds"] = ":pupils::uuid[]",
        ["MediaType"] = ":mt::text",
        ["Channel"] = ":ch::text",
        ["At"] = ":at::timestamptz",
        ["AsKnownAt"] = ":at::timestamptz",
    };

    [Test]
    public void The_pgbench_copy_is_the_statements_the_API_sends_for_a_check()
    {
        var copy = File.ReadAllLines(Path.Combine(ApiProcess.RepositoryRoot(), "bench", "pgbench", "check-statements.sql"))
            .Where(line => line.Trim().Length > 0)
            .Select(Normalised)
            .ToList();
        var sent = ConsentFactsReader.CheckStatements()
            .Select(s => Normalised(Regex.Replace(s.Sql, @"\$(\d+)", m => Variables[s.Parameters[int.Parse(m.Groups[1].Value) - 1]])))
            .ToList();

        Assert.That(copy, Is.EqualTo(sent));
    }

    [Test]
    public void Spacing_and_the_closing_semicolon_do_not_matter_and_anything_else_does()
    {
        Assert.Multiple(() =>
        {
            Assert.That(Normalised("SELECT a FROM t WHERE x = ANY( ARRAY(\n  SELECT 1 ) ) ;"), Is.EqualTo(Normalised("SELECT a FROM t WHERE x = ANY(ARRAY(SELECT 1))")));
            Assert.That(Normalised("SELECT a FROM t WHERE x <= :at"), Is.Not.EqualTo(Normalised("SELECT a FROM t WHERE x < :at")));
        });
    }

    /// <summary>Whitespace runs as one space, none inside parentheses, no closing semicolon.</summary>
    private static string Normalised(string sql)
    {
        var text = Regex.Replace(sql, @"\s+", " ").Trim().TrimEnd(';').Trim();
        return Regex.Replace(Regex.Replace(text, @"\( ", "("), @" \)", ")");
    }
}
