using Microsoft.Extensions.Hosting;

namespace OrderSystem.Operations.Console;

/// <summary>The section <c>Ops</c>: the console's password, its login limit and how often the overview samples.</summary>
public sealed class ConsoleOptions
{
    /// <summary>Used only when the environment is Development and <see cref="Password"/> is unset.</summary>
    public const string DevelopmentPassword = "dev-ops-password-change-me";

    /// <summary>The operators' password. Unset outside Development, the console is off: nobody can sign in.</summary>
    public string? Password { get; set; }

    /// <summary>Sign-in attempts (POSTs to /ops/login) allowed per client address per minute.</summary>
    public int LoginAttemptsPerMinute { get; set; } = 5;

    /// <summary>How often the overview is sampled while someone watches it (the page polls at the same pace).</summary>
    public int SampleIntervalMs { get; set; } = 3000;

    /// <summary>The password in force, or null when the console is off.</summary>
    public string? EffectivePassword(IHostEnvironment environment) =>
        Password is { Length: > 0 } configured ? configured : environment.IsDevelopment() ? DevelopmentPassword : null;
}
