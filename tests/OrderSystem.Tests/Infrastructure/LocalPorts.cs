using System.Net;
using System.Net.Sockets;

namespace OrderSystem.Tests.Infrastructure;

internal static class LocalPorts
{
    /// <summary>A loopback port free right now, for a server of the test's own.</summary>
    public static int Free()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
