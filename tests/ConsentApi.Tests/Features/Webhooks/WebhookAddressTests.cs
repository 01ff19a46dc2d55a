using System.Net;
using ConsentApi.Infrastructure.Events;

namespace ConsentApi.Tests.Features.Webhooks;

/// <summary>The address rule webhooks are held to at subscription and at every connection: a pure function, no network.</summary>
public sealed class WebhookAddressTests
{
    [TestCase("0.0.0.0")]
    [TestCase("0.255.255.255")]
    [TestCase("10.0.0.1")]
    [TestCase("100.64.0.1")]
    [TestCase("100.127.255.254")]
    [TestCase("127.0.0.1")]
    [TestCase("127.255.255.254")]
    [TestCase("169.254.169.254")]
    [TestCase("172.16.0.1")]
    [TestCase("172.31.255.254")]
    [TestCase("192.0.0.1")]
    [TestCase("192.0.0.192")]
    [TestCase("192.0.2.10")]
    [TestCase("192.88.99.1")]
    [TestCase("192.168.1.1")]
    [TestCase("198.18.0.1")]
    [TestCase("198.19.255.254")]
    [TestCase("198.51.100.7")]
    [TestCase("203.0.113.9")]
    [TestCase("224.0.0.1")]
    [TestCase("239.255.255.250")]
    [TestCase("240.0.0.1")]
    [TestCase("255.255.255.255")]
    [TestCase("::")]
    [TestCase("::1")]
    [TestCase("::ffff:127.0.0.1")]
    [TestCase("::ffff:10.1.2.3")]
    [TestCase("::127.0.0.1")]
    [TestCase("::169.254.169.254")]
    [TestCase("64:ff9b::7f00:1")]
    [TestCase("64:ff9b::a9fe:a9fe")]
    [TestCase("64:ff9b:1::808:808")]
    [TestCase("100::1")]
    [TestCase("2001::1")]
    [TestCase("2001:0:4136:e378:8000:63bf:3fff:fdd2")]
    [TestCase("2001:1ff:ffff::1")]
    [TestCase("2001:db8::1")]
    [TestCase("2002:7f00:1::")]
    [TestCase("2002:808:808::1")]
    [TestCase("3fff::1")]
    [TestCase("3fff:fff:ffff::1")]
    [TestCase("5f00::1")]
    [TestCase("fc00::1")]
    [TestCase("fd12:3456:789a::1")]
    [TestCase("fe80::1")]
    [TestCase("febf::1")]
    [TestCase("fec0::1")]
    [TestCase("ff02::1")]
    public void A_special_purpose_address_is_not_public(string address) =>
        Assert.That(WebhookAddresses.IsPublic(IPAddress.Parse(address)), Is.False);

    [TestCase("8.8.8.8")]
    [TestCase("1.1.1.1")]
    [TestCase("9.255.255.255")]
    [TestCase("11.0.0.1")]
    [TestCase("100.128.0.1")]
    [TestCase("172.32.0.1")]
    [TestCase("192.0.3.1")]
    [TestCase("198.20.0.1")]
    [TestCase("223.255.255.254")]
    [TestCase("::ffff:8.8.8.8")]
    [TestCase("64:ff9b::808:808")]
    [TestCase("2001:200::1")]
    [TestCase("2001:4860:4860::8888")]
    [TestCase("2606:4700:4700::1111")]
    [TestCase("2a00:1450:400e:80f::200e")]
    public void A_public_address_is_public(string address) =>
        Assert.That(WebhookAddresses.IsPublic(IPAddress.Parse(address)), Is.True);

    [Test]
    public void Only_port_443_is_allowed_unless_configured()
    {
        var defaults = new WebhookOptions();
        var configured = new WebhookOptions { AllowedPorts = [8443] };
        var local = new WebhookOptions { AllowPrivateNetworks = true };
        Assert.Multiple(() =>
        {
            Assert.That(defaults.IsPortAllowed(443), Is.True);
            Assert.That(defaults.IsPortAllowed(80), Is.False);
            Assert.That(defaults.IsPortAllowed(8443), Is.False);
            Assert.That(configured.IsPortAllowed(8443), Is.True);
            Assert.That(configured.IsPortAllowed(443), Is.False);
            Assert.That(local.IsPortAllowed(54321), Is.True);
        });
    }
}
