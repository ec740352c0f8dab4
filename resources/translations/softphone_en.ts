<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="en" sourcelanguage="en">
<context>
    <name>AccountDialog</name>
    <message>
        <location filename="../../ui/windows/settings_dialog.py" line="101" />
        <source>Set up your SIP account</source>
        <extracomment>The dialog&apos;s result when &quot;Try it on this computer&quot; was chosen. The user chose &quot;Try it on this computer&quot; instead of an account.</extracomment>
        <translation>Set up your SIP account</translation>
    </message>
    <message>
        <location filename="../../ui/windows/settings_dialog.py" line="101" />
        <source>Account</source>
        <translation>Account</translation>
    </message>
    <message>
        <location filename="../../ui/windows/settings_dialog.py" line="107" />
        <source>Enter the SIP account your provider gave you. The password is kept in this computer&apos;s keyring, never in the settings file.</source>
        <translation>Enter the SIP account your provider gave you. The password is kept in this computer&apos;s keyring, never in the settings file.</translation>
    </message>
    <message>
        <location filename="../../ui/windows/settings_dialog.py" line="111" />
        <source>Enter the SIP account your provider gave you.</source>
        <translation>Enter the SIP account your provider gave you.</translation>
    </message>
    <message>
        <location filename="../../ui/windows/settings_dialog.py" line="116" />
        <source>Address</source>
        <translation>Address</translation>
    </message>
    <message>
        <location filename="../../ui/windows/settings_dialog.py" line="118" />
        <source>Alice Example (optional)</source>
        <translation>Alice Example (optional)</translation>
    </message>
    <message>
        <location filename="../../ui/windows/settings_dialog.py" line="118" />
        <source>Display name</source>
        <translation>Display name</translation>
    </message>
    <message>
        <location filename="../../ui/windows/settings_dialog.py" line="121" />
        <source>same as in the address (optional)</source>
        <translation>same as in the address (optional)</translation>
    </message>
    <message>
        <location filename="../../ui/windows/settings_dialog.py" line="121" />
        <source>Authentication user name</source>
        <translation>Authentication user name</translation>
    </message>
    <message>
        <location filename="../../ui/windows/settings_dialog.py" line="124" />
        <source>Password</source>
        <translation>Password</translation>
    </message>
    <message>
        <location filename="../../ui/windows/settings_dialog.py" line="125" />
        <source>unchanged</source>
        <translation>unchanged</translation>
    </message>
    <message>
        <location filename="../../ui/windows/settings_dialog.py" line="129" />
        <source>Password environment variable</source>
        <translation>Password environment variable</translation>
    </message>
    <message>
        <location filename="../../ui/windows/settings_dialog.py" line="131" />
        <source>find automatically</source>
        <translation>find automatically</translation>
    </message>
    <message>
        <location filename="../../ui/windows/settings_dialog.py" line="131" />
        <source>Registrar</source>
        <translation>Registrar</translation>
    </message>
    <message>
        <location filename="../../ui/windows/settings_dialog.py" line="133" />
        <source>none (optional)</source>
        <translation>none (optional)</translation>
    </message>
    <message>
        <location filename="../../ui/windows/settings_dialog.py" line="133" />
        <source>Outbound proxy</source>
        <translation>Outbound proxy</translation>
    </message>
    <message>
        <location filename="../../ui/windows/settings_dialog.py" line="136" />
        <source>the system&apos;s (optional)</source>
        <translation>the system&apos;s (optional)</translation>
    </message>
    <message>
        <location filename="../../ui/windows/settings_dialog.py" line="136" />
        <source>DNS server</source>
        <translation>DNS server</translation>
    </message>
    <message>
        <location filename="../../ui/windows/settings_dialog.py" line="139" />
        <source>Transport</source>
        <translation>Transport</translation>
    </message>
    <message>
        <location filename="../../ui/windows/settings_dialog.py" line="144" />
        <source>Send &amp;read receipts</source>
        <translation>Send &amp;read receipts</translation>
    </message>
    <message>
        <location filename="../../ui/windows/settings_dialog.py" line="145" />
        <source>Send read receipts</source>
        <translation>Send read receipts</translation>
    </message>
    <message>
        <location filename="../../ui/windows/settings_dialog.py" line="148" />
        <source>Tell the sender when a message was shown to you. Delivery receipts are always sent when asked.</source>
        <translation>Tell the sender when a message was shown to you. Delivery receipts are always sent when asked.</translation>
    </message>
    <message>
        <location filename="../../ui/windows/settings_dialog.py" line="153" />
        <source>As&amp;k for read receipts</source>
        <translation>As&amp;k for read receipts</translation>
    </message>
    <message>
        <location filename="../../ui/windows/settings_dialog.py" line="154" />
        <source>Ask for read receipts</source>
        <translation>Ask for read receipts</translation>
    </message>
    <message>
        <location filename="../../ui/windows/settings_dialog.py" line="159" />
        <source>Accept messages sent &amp;directly to this computer</source>
        <translation>Accept messages sent &amp;directly to this computer</translation>
    </message>
    <message>
        <location filename="../../ui/windows/settings_dialog.py" line="162" />
        <source>Accept messages sent directly to this computer</source>
        <translation>Accept messages sent directly to this computer</translation>
    </message>
    <message>
        <location filename="../../ui/windows/settings_dialog.py" line="166" />
        <source>Off: only messages that come through your provider&apos;s server are taken. On: anyone who can reach this computer can send you messages.</source>
        <translation>Off: only messages that come through your provider&apos;s server are taken. On: anyone who can reach this computer can send you messages.</translation>
    </message>
    <message>
        <location filename="../../ui/windows/settings_dialog.py" line="176" />
        <source>Keyring</source>
        <translation>Keyring</translation>
    </message>
    <message>
        <location filename="../../ui/windows/settings_dialog.py" line="184" />
        <source>Password problem</source>
        <extracomment>The server&apos;s refusal of the password, in words, above the field.</extracomment>
        <translation>Password problem</translation>
    </message>
    <message>
        <location filename="../../ui/windows/settings_dialog.py" line="191" />
        <source>Password &amp;variable:</source>
        <translation>Password &amp;variable:</translation>
    </message>
    <message>
        <location filename="../../ui/windows/settings_dialog.py" line="193" />
        <source>&amp;Address:</source>
        <translation>&amp;Address:</translation>
    </message>
    <message>
        <location filename="../../ui/windows/settings_dialog.py" line="194" />
        <source>&amp;Display name:</source>
        <translation>&amp;Display name:</translation>
    </message>
    <message>
        <location filename="../../ui/windows/settings_dialog.py" line="195" />
        <source>&amp;User name:</source>
        <translation>&amp;User name:</translation>
    </message>
    <message>
        <location filename="../../ui/windows/settings_dialog.py" line="196" />
        <source>&amp;Password:</source>
        <translation>&amp;Password:</translation>
    </message>
    <message>
        <location filename="../../ui/windows/settings_dialog.py" line="198" />
        <source>&amp;Registrar:</source>
        <translation>&amp;Registrar:</translation>
    </message>
    <message>
        <location filename="../../ui/windows/settings_dialog.py" line="199" />
        <source>&amp;Outbound proxy:</source>
        <translation>&amp;Outbound proxy:</translation>
    </message>
    <message>
        <location filename="../../ui/windows/settings_dialog.py" line="200" />
        <source>D&amp;NS server:</source>
        <translation>D&amp;NS server:</translation>
    </message>
    <message>
        <location filename="../../ui/windows/settings_dialog.py" line="201" />
        <source>&amp;Transport:</source>
        <translation>&amp;Transport:</translation>
    </message>
    <message>
        <location filename="../../ui/windows/settings_dialog.py" line="218" />
        <source>Error</source>
        <translation>Error</translation>
    </message>
    <message>
        <location filename="../../ui/windows/settings_dialog.py" line="226" />
        <source>Save</source>
        <translation>Save</translation>
    </message>
    <message>
        <location filename="../../ui/windows/settings_dialog.py" line="226" />
        <source>Sign in</source>
        <translation>Sign in</translation>
    </message>
    <message>
        <location filename="../../ui/windows/settings_dialog.py" line="229" />
        <source>Cancel</source>
        <translation>Cancel</translation>
    </message>
    <message>
        <location filename="../../ui/windows/settings_dialog.py" line="234" />
        <source>Try it on &amp;this computer</source>
        <translation>Try it on &amp;this computer</translation>
    </message>
    <message>
        <location filename="../../ui/windows/settings_dialog.py" line="235" />
        <source>Try it on this computer</source>
        <translation>Try it on this computer</translation>
    </message>
    <message>
        <location filename="../../ui/windows/settings_dialog.py" line="238" />
        <source>Start a small SIP server on this computer with two test users, to try the app without an account</source>
        <translation>Start a small SIP server on this computer with two test users, to try the app without an account</translation>
    </message>
    <message>
        <location filename="../../ui/windows/settings_dialog.py" line="249" />
        <source>Add Softphone to the applications &amp;menu</source>
        <extracomment>First run only: install the menu entry (`ui.desktop`) once chosen.</extracomment>
        <translation>Add Softphone to the applications &amp;menu</translation>
    </message>
    <message>
        <location filename="../../ui/windows/settings_dialog.py" line="250" />
        <source>Add Softphone to the applications menu</source>
        <translation>Add Softphone to the applications menu</translation>
    </message>
    <message>
        <location filename="../../ui/windows/settings_dialog.py" line="252" />
        <source>A menu entry and icon for you alone; Softphone also opens sip: links</source>
        <translation>A menu entry and icon for you alone; Softphone also opens sip: links</translation>
    </message>
    <message>
        <location filename="../../ui/windows/settings_dialog.py" line="256" />
        <source>Start Softphone when I &amp;log in</source>
        <translation>Start Softphone when I &amp;log in</translation>
    </message>
    <message>
        <location filename="../../ui/windows/settings_dialog.py" line="257" />
        <source>Start Softphone when I log in</source>
        <translation>Start Softphone when I log in</translation>
    </message>
    <message>
        <location filename="../../ui/windows/settings_dialog.py" line="258" />
        <source>Starts in the tray, without opening the window</source>
        <translation>Starts in the tray, without opening the window</translation>
    </message>
    <message>
        <location filename="../../ui/windows/settings_dialog.py" line="421" />
        <source>{field}: error</source>
        <translation>{field}: error</translation>
    </message>
</context>
<context>
    <name>BuddyDetails</name>
    <message>
        <location filename="../../ui/windows/buddy_details.py" line="46" />
        <source>Buddy details</source>
        <translation>Buddy details</translation>
    </message>
    <message>
        <location filename="../../ui/windows/buddy_details.py" line="53" />
        <source>Address</source>
        <translation>Address</translation>
    </message>
    <message>
        <location filename="../../ui/windows/buddy_details.py" line="54" />
        <source>State</source>
        <translation>State</translation>
    </message>
    <message>
        <location filename="../../ui/windows/buddy_details.py" line="55" />
        <source>Last seen</source>
        <translation>Last seen</translation>
    </message>
    <message>
        <location filename="../../ui/windows/buddy_details.py" line="57" />
        <source>Registered devices</source>
        <translation>Registered devices</translation>
    </message>
    <message>
        <location filename="../../ui/windows/buddy_details.py" line="59" />
        <source>Device address</source>
        <translation>Device address</translation>
    </message>
    <message>
        <location filename="../../ui/windows/buddy_details.py" line="59" />
        <source>Registered since</source>
        <translation>Registered since</translation>
    </message>
    <message>
        <location filename="../../ui/windows/buddy_details.py" line="59" />
        <source>Expires</source>
        <translation>Expires</translation>
    </message>
    <message>
        <location filename="../../ui/windows/buddy_details.py" line="65" />
        <source>Online and offline changes</source>
        <translation>Online and offline changes</translation>
    </message>
    <message>
        <location filename="../../ui/windows/buddy_details.py" line="71" />
        <source>Devices (from the registrar)</source>
        <translation>Devices (from the registrar)</translation>
    </message>
    <message>
        <location filename="../../ui/windows/buddy_details.py" line="73" />
        <source>Recent changes</source>
        <translation>Recent changes</translation>
    </message>
    <message>
        <location filename="../../ui/windows/buddy_details.py" line="85" />
        <source>not known yet</source>
        <translation>not known yet</translation>
    </message>
    <message>
        <location filename="../../ui/windows/buddy_details.py" line="90" />
        <source>now (online)</source>
        <translation>now (online)</translation>
    </message>
    <message>
        <location filename="../../ui/windows/buddy_details.py" line="94" />
        <source>never, so far</source>
        <translation>never, so far</translation>
    </message>
    <message>
        <location filename="../../ui/windows/buddy_details.py" line="101" />
        <source>not said</source>
        <translation>not said</translation>
    </message>
    <message>
        <location filename="../../ui/windows/buddy_details.py" line="115" />
        <source>No change seen yet</source>
        <translation>No change seen yet</translation>
    </message>
</context>
<context>
    <name>ChatView</name>
    <message>
        <location filename="../../ui/windows/chat_view.py" line="265" />
        <source>Find in this conversation</source>
        <translation>Find in this conversation</translation>
    </message>
    <message>
        <location filename="../../ui/windows/chat_view.py" line="266" />
        <source>Find in conversation</source>
        <translation>Find in conversation</translation>
    </message>
    <message>
        <location filename="../../ui/windows/chat_view.py" line="272" />
        <source>Close find bar</source>
        <translation>Close find bar</translation>
    </message>
    <message>
        <location filename="../../ui/windows/chat_view.py" line="282" />
        <source>Messages</source>
        <translation>Messages</translation>
    </message>
    <message>
        <location filename="../../ui/windows/chat_view.py" line="296" />
        <source>Message details</source>
        <translation>Message details</translation>
    </message>
    <message>
        <location filename="../../ui/windows/chat_view.py" line="309" />
        <source>Message text</source>
        <translation>Message text</translation>
    </message>
    <message>
        <location filename="../../ui/windows/chat_view.py" line="311" />
        <source>Write a message (Enter sends, Shift+Enter: new line)</source>
        <translation>Write a message (Enter sends, Shift+Enter: new line)</translation>
    </message>
    <message>
        <location filename="../../ui/windows/chat_view.py" line="322" />
        <source>Message size</source>
        <translation>Message size</translation>
    </message>
    <message>
        <location filename="../../ui/windows/chat_view.py" line="323" />
        <source>Send</source>
        <translation>Send</translation>
    </message>
    <message>
        <location filename="../../ui/windows/chat_view.py" line="324" />
        <source>Send message</source>
        <translation>Send message</translation>
    </message>
    <message>
        <location filename="../../ui/windows/chat_view.py" line="351" />
        <source>No conversation</source>
        <translation>No conversation</translation>
    </message>
    <message>
        <location filename="../../ui/windows/chat_view.py" line="353" />
        <source>Pick a conversation, or press Ctrl+K to go to one, Ctrl+N to start one</source>
        <translation>Pick a conversation, or press Ctrl+K to go to one, Ctrl+N to start one</translation>
    </message>
    <message>
        <location filename="../../ui/windows/chat_view.py" line="408" />
        <source>{name} is typing…</source>
        <translation>{name} is typing…</translation>
    </message>
    <message>
        <location filename="../../ui/windows/chat_view.py" line="521" />
        <source>Long: sent over TCP</source>
        <translation>Long: sent over TCP</translation>
    </message>
    <message>
        <location filename="../../ui/windows/chat_view.py" line="523" />
        <source>{size} bytes: more than {limit}, so it is sent over TCP</source>
        <translation>{size} bytes: more than {limit}, so it is sent over TCP</translation>
    </message>
    <message>
        <location filename="../../ui/windows/chat_view.py" line="529" />
        <source>Too long for this account</source>
        <translation>Too long for this account</translation>
    </message>
    <message>
        <location filename="../../ui/windows/chat_view.py" line="531" />
        <source>{size} bytes: this account can send at most {limit}; shorten it</source>
        <translation>{size} bytes: this account can send at most {limit}; shorten it</translation>
    </message>
    <message>
        <location filename="../../ui/windows/chat_view.py" line="614" />
        <source>Copy text</source>
        <translation>Copy text</translation>
    </message>
    <message>
        <location filename="../../ui/windows/chat_view.py" line="630" />
        <source>Message details…</source>
        <translation>Message details…</translation>
    </message>
    <message>
        <location filename="../../ui/windows/chat_view.py" line="691" />
        <source>Not found</source>
        <translation>Not found</translation>
    </message>
    <message>
        <location filename="../../ui/windows/chat_view.py" line="302" />
        <location filename="../../ui/windows/chat_view.py" line="618" />
        <source>Retry</source>
        <translation>Retry</translation>
    </message>
    <message>
        <location filename="../../ui/windows/chat_view.py" line="257" />
        <source>Typing</source>
        <extracomment>How long after the last key the draft is written to the store. Rows kept loaded while the list follows new messages. Every append lays out each loaded row again (QListView has no cheaper path for rows of different heights), so older rows are unloaded past this, a page at a time, and paged back in when the user scrolls up. The message list&apos;s scroll bar: a thin handle on the list&apos;s own background. A message of this conversation was deleted (the peer&apos;s address). The kept draft of a conversation changed: (peer, text; &quot;&quot; for none). The user edited the draft for a peer: (peer, draft is not empty). What is on screen may have changed (scroll, new rows, another peer): the window checks which received messages a person could now read. The user asked for a message&apos;s details (context menu or Ctrl+Shift+I; Ctrl+I is the buddy&apos;s details). A link in a message was clicked (a `ui.delegates.bubble_links.LinkSpan`). Whether a message over the UDP limit can go over TCP (set by the window).</extracomment>
        <translation>Typing</translation>
    </message>
    <message>
        <location filename="../../ui/windows/chat_view.py" line="623" />
        <source>Delete message</source>
        <translation>Delete message</translation>
    </message>
</context>
<context>
    <name>MainWindow</name>
    <message>
        <location filename="../../ui/windows/main_window.py" line="82" />
        <source>{text}, trying again in {seconds} s</source>
        <translation>{text}, trying again in {seconds} s</translation>
    </message>
    <message>
        <location filename="../../ui/windows/main_window.py" line="177" />
        <location filename="../../ui/windows/main_window.py" line="178" />
        <source>Search conversations and buddies</source>
        <extracomment>What a new registration depends on: a change to any of these re-registers. Preference keys in `window_settings()`. The account dialog was saved with changes that need a new registration: (Account, the typed password or None for unchanged). The demo&apos;s made-up account: nothing here may touch the real settings file or keyring. The window&apos;s own preferences (close to tray or quit, said once). Where Account... saves the settings. The account dialog while it is open.</extracomment>
        <translation>Search conversations and buddies</translation>
    </message>
    <message>
        <location filename="../../ui/windows/main_window.py" line="187" />
        <source>Add a buddy</source>
        <translation>Add a buddy</translation>
    </message>
    <message>
        <location filename="../../ui/windows/main_window.py" line="191" />
        <source>Buddies</source>
        <translation>Buddies</translation>
    </message>
    <message>
        <location filename="../../ui/windows/main_window.py" line="234" />
        <source>Not registered</source>
        <extracomment>Opens a web link from a message: the desktop&apos;s browser (tests put their own).</extracomment>
        <translation>Not registered</translation>
    </message>
    <message>
        <location filename="../../ui/windows/main_window.py" line="237" />
        <source>Registration state</source>
        <translation>Registration state</translation>
    </message>
    <message>
        <location filename="../../ui/windows/main_window.py" line="269" />
        <source>Direct mode (not registering) as {me}</source>
        <translation>Direct mode (not registering) as {me}</translation>
    </message>
    <message>
        <location filename="../../ui/windows/main_window.py" line="312" />
        <source>&amp;New conversation…</source>
        <translation>&amp;New conversation…</translation>
    </message>
    <message>
        <location filename="../../ui/windows/main_window.py" line="314" />
        <source>&amp;Account…</source>
        <translation>&amp;Account…</translation>
    </message>
    <message>
        <location filename="../../ui/windows/main_window.py" line="315" />
        <source>SIP &amp;trace</source>
        <translation>SIP &amp;trace</translation>
    </message>
    <message>
        <location filename="../../ui/windows/main_window.py" line="317" />
        <source>&amp;Quit</source>
        <translation>&amp;Quit</translation>
    </message>
    <message>
        <location filename="../../ui/windows/main_window.py" line="319" />
        <source>Quit when the window is &amp;closed</source>
        <translation>Quit when the window is &amp;closed</translation>
    </message>
    <message>
        <location filename="../../ui/windows/main_window.py" line="326" />
        <source>&amp;Find in conversation</source>
        <translation>&amp;Find in conversation</translation>
    </message>
    <message>
        <location filename="../../ui/windows/main_window.py" line="328" />
        <source>&amp;Block sender</source>
        <translation>&amp;Block sender</translation>
    </message>
    <message>
        <location filename="../../ui/windows/main_window.py" line="331" />
        <source>&amp;Add buddy…</source>
        <translation>&amp;Add buddy…</translation>
    </message>
    <message>
        <location filename="../../ui/windows/main_window.py" line="332" />
        <source>&amp;Rename buddy…</source>
        <translation>&amp;Rename buddy…</translation>
    </message>
    <message>
        <location filename="../../ui/windows/main_window.py" line="333" />
        <source>Re&amp;move buddy</source>
        <translation>Re&amp;move buddy</translation>
    </message>
    <message>
        <location filename="../../ui/windows/main_window.py" line="334" />
        <source>&amp;Softphone</source>
        <translation>&amp;Softphone</translation>
    </message>
    <message>
        <location filename="../../ui/windows/main_window.py" line="340" />
        <source>&amp;Buddies</source>
        <translation>&amp;Buddies</translation>
    </message>
    <message>
        <location filename="../../ui/windows/main_window.py" line="343" />
        <source>&amp;Go to conversation…</source>
        <translation>&amp;Go to conversation…</translation>
    </message>
    <message>
        <location filename="../../ui/windows/main_window.py" line="344" />
        <source>&amp;Next conversation</source>
        <translation>&amp;Next conversation</translation>
    </message>
    <message>
        <location filename="../../ui/windows/main_window.py" line="347" />
        <source>&amp;Previous conversation</source>
        <translation>&amp;Previous conversation</translation>
    </message>
    <message>
        <location filename="../../ui/windows/main_window.py" line="357" />
        <source>Buddy &amp;details…</source>
        <translation>Buddy &amp;details…</translation>
    </message>
    <message>
        <location filename="../../ui/windows/main_window.py" line="359" />
        <source>&amp;Conversation</source>
        <translation>&amp;Conversation</translation>
    </message>
    <message>
        <location filename="../../ui/windows/main_window.py" line="406" />
        <source>Server {server}</source>
        <translation>Server {server}</translation>
    </message>
    <message>
        <location filename="../../ui/windows/main_window.py" line="408" />
        <source>No server has answered yet</source>
        <translation>No server has answered yet</translation>
    </message>
    <message>
        <location filename="../../ui/windows/main_window.py" line="424" />
        <source>The server asks for the password for {address}</source>
        <translation>The server asks for the password for {address}</translation>
    </message>
    <message>
        <location filename="../../ui/windows/main_window.py" line="426" />
        <source>The server did not accept the password for {address}</source>
        <translation>The server did not accept the password for {address}</translation>
    </message>
    <message>
        <location filename="../../ui/windows/main_window.py" line="582" />
        <source>blocked</source>
        <translation>blocked</translation>
    </message>
    <message>
        <location filename="../../ui/windows/main_window.py" line="615" />
        <source>New conversation</source>
        <translation>New conversation</translation>
    </message>
    <message>
        <location filename="../../ui/windows/main_window.py" line="616" />
        <location filename="../../ui/windows/main_window.py" line="792" />
        <source>Address (e.g. bob@example.com):</source>
        <translation>Address (e.g. bob@example.com):</translation>
    </message>
    <message>
        <location filename="../../ui/windows/main_window.py" line="639" />
        <source>The message could not be saved: {error}</source>
        <translation>The message could not be saved: {error}</translation>
    </message>
    <message>
        <location filename="../../ui/windows/main_window.py" line="651" />
        <source>Cannot retry: {error}</source>
        <translation>Cannot retry: {error}</translation>
    </message>
    <message>
        <location filename="../../ui/windows/main_window.py" line="188" />
        <location filename="../../ui/windows/main_window.py" line="792" />
        <location filename="../../ui/windows/main_window.py" line="800" />
        <location filename="../../ui/windows/main_window.py" line="803" />
        <source>Add buddy</source>
        <translation>Add buddy</translation>
    </message>
    <message>
        <location filename="../../ui/windows/main_window.py" line="803" />
        <source>Name (optional):</source>
        <translation>Name (optional):</translation>
    </message>
    <message>
        <location filename="../../ui/windows/main_window.py" line="823" />
        <source>Rename buddy</source>
        <translation>Rename buddy</translation>
    </message>
    <message>
        <location filename="../../ui/windows/main_window.py" line="824" />
        <source>Name:</source>
        <translation>Name:</translation>
    </message>
    <message>
        <location filename="../../ui/windows/main_window.py" line="845" />
        <source>Remove buddy</source>
        <translation>Remove buddy</translation>
    </message>
    <message>
        <location filename="../../ui/windows/main_window.py" line="846" />
        <source>Remove {name} from your buddies?</source>
        <translation>Remove {name} from your buddies?</translation>
    </message>
    <message>
        <location filename="../../ui/windows/main_window.py" line="895" />
        <source>Delete conversation</source>
        <translation>Delete conversation</translation>
    </message>
    <message>
        <location filename="../../ui/windows/main_window.py" line="897" />
        <source>Delete the conversation with {name}? Its messages are deleted from this computer only; {name} is not told.</source>
        <translation>Delete the conversation with {name}? Its messages are deleted from this computer only; {name} is not told.</translation>
    </message>
    <message>
        <location filename="../../ui/windows/main_window.py" line="942" />
        <source>Details…</source>
        <translation>Details…</translation>
    </message>
    <message>
        <location filename="../../ui/windows/main_window.py" line="944" />
        <source>Rename…</source>
        <translation>Rename…</translation>
    </message>
    <message>
        <location filename="../../ui/windows/main_window.py" line="947" />
        <source>Remove from buddies</source>
        <translation>Remove from buddies</translation>
    </message>
    <message>
        <location filename="../../ui/windows/main_window.py" line="950" />
        <source>Delete conversation…</source>
        <translation>Delete conversation…</translation>
    </message>
    <message>
        <location filename="../../ui/windows/main_window.py" line="953" />
        <source>Unblock</source>
        <translation>Unblock</translation>
    </message>
    <message>
        <location filename="../../ui/windows/main_window.py" line="953" />
        <source>Block</source>
        <translation>Block</translation>
    </message>
    <message>
        <location filename="../../ui/windows/main_window.py" line="985" />
        <source>Account</source>
        <translation>Account</translation>
    </message>
    <message>
        <location filename="../../ui/windows/main_window.py" line="987" />
        <source>This is the demo: its account is made up and is not saved. To use your own account, quit and start Softphone without the demo.</source>
        <translation>This is the demo: its account is made up and is not saved. To use your own account, quit and start Softphone without the demo.</translation>
    </message>
    <message>
        <location filename="../../ui/windows/main_window.py" line="1009" />
        <source>The account dialog is not available</source>
        <translation>The account dialog is not available</translation>
    </message>
    <message>
        <location filename="../../ui/windows/main_window.py" line="1032" />
        <source>The settings could not be saved: {error}</source>
        <translation>The settings could not be saved: {error}</translation>
    </message>
    <message>
        <location filename="../../ui/windows/main_window.py" line="1037" />
        <source>Saved</source>
        <translation>Saved</translation>
    </message>
    <message>
        <location filename="../../ui/windows/main_window.py" line="1059" />
        <source>Softphone is still running</source>
        <translation>Softphone is still running</translation>
    </message>
    <message>
        <location filename="../../ui/windows/main_window.py" line="1061" />
        <source>You stay online and get new messages here. Use Quit in this icon&apos;s menu to go offline.</source>
        <translation>You stay online and get new messages here. Use Quit in this icon&apos;s menu to go offline.</translation>
    </message>
    <message>
        <location filename="../../ui/main.py" line="154" />
        <source>Cannot open the network port: {error}</source>
        <extracomment>The flags the app started with (where histories are, what to bind). The password in use; without a keyring, the only copy (memory only).</extracomment>
        <translation>Cannot open the network port: {error}</translation>
    </message>
</context>
<context>
    <name>MessageDetails</name>
    <message>
        <location filename="../../ui/windows/message_details.py" line="55" />
        <source>Message details</source>
        <translation>Message details</translation>
    </message>
    <message>
        <location filename="../../ui/windows/message_details.py" line="61" />
        <source>To:</source>
        <translation>To:</translation>
    </message>
    <message>
        <location filename="../../ui/windows/message_details.py" line="61" />
        <source>From:</source>
        <translation>From:</translation>
    </message>
    <message>
        <location filename="../../ui/windows/message_details.py" line="65" />
        <source>Text:</source>
        <translation>Text:</translation>
    </message>
    <message>
        <location filename="../../ui/windows/message_details.py" line="68" />
        <source>Type:</source>
        <translation>Type:</translation>
    </message>
    <message>
        <location filename="../../ui/windows/message_details.py" line="72" />
        <source>State:</source>
        <translation>State:</translation>
    </message>
    <message>
        <location filename="../../ui/windows/message_details.py" line="72" />
        <source>received</source>
        <translation>received</translation>
    </message>
    <message>
        <location filename="../../ui/windows/message_details.py" line="75" />
        <source>Receipts asked:</source>
        <translation>Receipts asked:</translation>
    </message>
    <message>
        <location filename="../../ui/windows/message_details.py" line="77" />
        <source>Timeline</source>
        <translation>Timeline</translation>
    </message>
    <message>
        <location filename="../../ui/windows/message_details.py" line="78" />
        <source>Time</source>
        <translation>Time</translation>
    </message>
    <message>
        <location filename="../../ui/windows/message_details.py" line="78" />
        <source>Step</source>
        <translation>Step</translation>
    </message>
    <message>
        <location filename="../../ui/windows/message_details.py" line="78" />
        <source>What happened</source>
        <translation>What happened</translation>
    </message>
</context>
<context>
    <name>PasswordDialog</name>
    <message>
        <location filename="../../ui/windows/password_dialog.py" line="30" />
        <source>No password store was found on this computer, so Softphone will ask for your password each time it starts.</source>
        <translation>No password store was found on this computer, so Softphone will ask for your password each time it starts.</translation>
    </message>
    <message>
        <location filename="../../ui/windows/password_dialog.py" line="40" />
        <source>Softphone was set to read the password for {address} from the environment variable {name}, but that variable is not set.</source>
        <translation>Softphone was set to read the password for {address} from the environment variable {name}, but that variable is not set.</translation>
    </message>
    <message>
        <location filename="../../ui/windows/password_dialog.py" line="46" />
        <source>Softphone was set to read the password for {address} from the environment variable {name}, but that variable is empty.</source>
        <translation>Softphone was set to read the password for {address} from the environment variable {name}, but that variable is empty.</translation>
    </message>
    <message>
        <location filename="../../ui/windows/password_dialog.py" line="53" />
        <source>Softphone does not know the password for {address} yet.</source>
        <translation>Softphone does not know the password for {address} yet.</translation>
    </message>
    <message>
        <location filename="../../ui/windows/password_dialog.py" line="67" />
        <location filename="../../ui/windows/password_dialog.py" line="75" />
        <source>Password</source>
        <translation>Password</translation>
    </message>
    <message>
        <location filename="../../ui/windows/password_dialog.py" line="72" />
        <source>Why the password is asked</source>
        <translation>Why the password is asked</translation>
    </message>
    <message>
        <location filename="../../ui/windows/password_dialog.py" line="80" />
        <source>&amp;Password for {address}:</source>
        <translation>&amp;Password for {address}:</translation>
    </message>
    <message>
        <location filename="../../ui/windows/password_dialog.py" line="87" />
        <source>Sign in</source>
        <translation>Sign in</translation>
    </message>
    <message>
        <location filename="../../ui/windows/password_dialog.py" line="106" />
        <source>Type the password to sign in.</source>
        <translation>Type the password to sign in.</translation>
    </message>
</context>
<context>
    <name>QDialog</name>
    <message>
        <location filename="../../ui/windows/buddy_details.py" line="37" />
        <source>in {minutes} min</source>
        <translation>in {minutes} min</translation>
    </message>
    <message>
        <location filename="../../ui/windows/buddy_details.py" line="38" />
        <source>in {seconds} s</source>
        <translation>in {seconds} s</translation>
    </message>
</context>
<context>
    <name>QMessageBox</name>
    <message>
        <location filename="../../ui/links.py" line="35" />
        <source>Softphone</source>
        <translation>Softphone</translation>
    </message>
</context>
<context>
    <name>QuickSwitcher</name>
    <message>
        <location filename="../../ui/windows/quick_switcher.py" line="26" />
        <location filename="../../ui/windows/quick_switcher.py" line="32" />
        <source>Go to conversation</source>
        <translation>Go to conversation</translation>
    </message>
    <message>
        <location filename="../../ui/windows/quick_switcher.py" line="31" />
        <source>Type a name or address</source>
        <translation>Type a name or address</translation>
    </message>
    <message>
        <location filename="../../ui/windows/quick_switcher.py" line="36" />
        <source>Matching conversations</source>
        <translation>Matching conversations</translation>
    </message>
</context>
<context>
    <name>TraceModel</name>
    <message>
        <location filename="../../ui/windows/trace_window.py" line="126" />
        <source>Time</source>
        <extracomment>How many messages the window keeps; older ones are dropped first. How many characters of message text it keeps in all (about 40 MB of str at worst), so 5,000 maximum-size datagrams cannot pin gigabytes. The request&apos;s method, or the method a response answers (from CSeq). The response&apos;s status code; None for a request. The whole message, redacted.</extracomment>
        <translation>Time</translation>
    </message>
    <message>
        <location filename="../../ui/windows/trace_window.py" line="128" />
        <source>Transport</source>
        <translation>Transport</translation>
    </message>
    <message>
        <location filename="../../ui/windows/trace_window.py" line="129" />
        <source>Peer</source>
        <translation>Peer</translation>
    </message>
    <message>
        <location filename="../../ui/windows/trace_window.py" line="130" />
        <source>Message</source>
        <translation>Message</translation>
    </message>
</context>
<context>
    <name>TraceWindow</name>
    <message>
        <location filename="../../ui/windows/trace_window.py" line="270" />
        <source>All messages</source>
        <extracomment>Role under which `data()` returns the row&apos;s `TraceRow`. The kind filter&apos;s choices: label (English; shown translated) → predicate over (method, status).</extracomment>
        <translation>All messages</translation>
    </message>
    <message>
        <location filename="../../ui/windows/trace_window.py" line="271" />
        <source>Requests</source>
        <translation>Requests</translation>
    </message>
    <message>
        <location filename="../../ui/windows/trace_window.py" line="272" />
        <source>Responses</source>
        <translation>Responses</translation>
    </message>
    <message>
        <location filename="../../ui/windows/trace_window.py" line="273" />
        <source>Errors (3xx–6xx)</source>
        <translation>Errors (3xx–6xx)</translation>
    </message>
    <message>
        <location filename="../../ui/windows/trace_window.py" line="345" />
        <location filename="../../ui/windows/trace_window.py" line="346" />
        <source>SIP trace</source>
        <translation>SIP trace</translation>
    </message>
    <message>
        <location filename="../../ui/windows/trace_window.py" line="354" />
        <source>Filter by first line or peer…</source>
        <translation>Filter by first line or peer…</translation>
    </message>
    <message>
        <location filename="../../ui/windows/trace_window.py" line="356" />
        <source>Filter</source>
        <translation>Filter</translation>
    </message>
    <message>
        <location filename="../../ui/windows/trace_window.py" line="357" />
        <location filename="../../ui/windows/trace_window.py" line="358" />
        <source>Search whole message</source>
        <translation>Search whole message</translation>
    </message>
    <message>
        <location filename="../../ui/windows/trace_window.py" line="363" />
        <source>Kind of message</source>
        <translation>Kind of message</translation>
    </message>
    <message>
        <location filename="../../ui/windows/trace_window.py" line="365" />
        <source>Message count</source>
        <translation>Message count</translation>
    </message>
    <message>
        <location filename="../../ui/windows/trace_window.py" line="367" />
        <source>&amp;Copy</source>
        <translation>&amp;Copy</translation>
    </message>
    <message>
        <location filename="../../ui/windows/trace_window.py" line="369" />
        <source>Copy the selected messages</source>
        <translation>Copy the selected messages</translation>
    </message>
    <message>
        <location filename="../../ui/windows/trace_window.py" line="371" />
        <source>C&amp;lear</source>
        <translation>C&amp;lear</translation>
    </message>
    <message>
        <location filename="../../ui/windows/trace_window.py" line="372" />
        <source>Forget every message in this window</source>
        <translation>Forget every message in this window</translation>
    </message>
    <message>
        <location filename="../../ui/windows/trace_window.py" line="379" />
        <source>Copy</source>
        <translation>Copy</translation>
    </message>
    <message>
        <location filename="../../ui/windows/trace_window.py" line="382" />
        <source>Clear</source>
        <translation>Clear</translation>
    </message>
    <message>
        <location filename="../../ui/windows/trace_window.py" line="386" />
        <source>Messages</source>
        <translation>Messages</translation>
    </message>
    <message>
        <location filename="../../ui/windows/trace_window.py" line="413" />
        <source>Select a message to see it in full.</source>
        <translation>Select a message to see it in full.</translation>
    </message>
    <message>
        <location filename="../../ui/windows/trace_window.py" line="414" />
        <source>Message text</source>
        <translation>Message text</translation>
    </message>
    <message>
        <location filename="../../ui/windows/trace_window.py" line="525" />
        <source>{shown} of 1 message shown</source>
        <translation>{shown} of 1 message shown</translation>
    </message>
    <message>
        <location filename="../../ui/windows/trace_window.py" line="527" />
        <source>{shown} of {total} messages shown</source>
        <translation>{shown} of {total} messages shown</translation>
    </message>
    <message>
        <location filename="../../ui/windows/trace_window.py" line="529" />
        <source>1 message</source>
        <translation>1 message</translation>
    </message>
    <message>
        <location filename="../../ui/windows/trace_window.py" line="531" />
        <source>{total} messages</source>
        <translation>{total} messages</translation>
    </message>
    <message>
        <location filename="../../ui/windows/trace_window.py" line="533" />
        <source>{count} (the oldest are dropped beyond {capacity})</source>
        <translation>{count} (the oldest are dropped beyond {capacity})</translation>
    </message>
</context>
<context>
    <name>Tray</name>
    <message>
        <location filename="../../ui/windows/tray.py" line="102" />
        <source>&amp;Show Softphone</source>
        <extracomment>Longer message text is cut in a notification: the conversation has it all. How long a notification stays up, in milliseconds (the desktop may differ). The peer&apos;s AoR: clicking the notification opens this conversation. The user clicked a message notification: open this peer&apos;s conversation. The user chose Quit in the tray menu. The user clicked the tray icon or chose Show. The last balloon asked for (title, body), shown or not. Desktop notifications; the tray&apos;s balloon when there is no server.</extracomment>
        <translation>&amp;Show Softphone</translation>
    </message>
    <message>
        <location filename="../../ui/windows/tray.py" line="105" />
        <source>&amp;Quit</source>
        <translation>&amp;Quit</translation>
    </message>
    <message>
        <location filename="../../ui/windows/tray.py" line="177" />
        <source>Softphone: 1 unread message</source>
        <translation>Softphone: 1 unread message</translation>
    </message>
    <message>
        <location filename="../../ui/windows/tray.py" line="179" />
        <source>Softphone: {count} unread messages</source>
        <translation>Softphone: {count} unread messages</translation>
    </message>
</context>
<context>
    <name>buddies</name>
    <message>
        <location filename="../../ui/models/buddies.py" line="46" />
        <location filename="../../ui/models/buddies.py" line="95" />
        <source>online</source>
        <extracomment>BuddyStatus values (softphone.services.presence); kept as text here so the list works before and without the presence service.</extracomment>
        <translation>online</translation>
    </message>
    <message>
        <location filename="../../ui/models/buddies.py" line="47" />
        <source>offline</source>
        <translation>offline</translation>
    </message>
    <message>
        <location filename="../../ui/models/buddies.py" line="49" />
        <source>waiting for authorization</source>
        <translation>waiting for authorization</translation>
    </message>
    <message>
        <location filename="../../ui/models/buddies.py" line="50" />
        <source>not allowed to see this buddy</source>
        <translation>not allowed to see this buddy</translation>
    </message>
    <message>
        <location filename="../../ui/models/buddies.py" line="51" />
        <source>unknown user</source>
        <translation>unknown user</translation>
    </message>
    <message>
        <location filename="../../ui/models/buddies.py" line="90" />
        <location filename="../../ui/models/buddies.py" line="160" />
        <source>typing…</source>
        <extracomment>The conversation&apos;s last message (&quot;&quot; when there is none) and its time. The buddy is composing a message to us (RFC 3994); never stored.</extracomment>
        <translation>typing…</translation>
    </message>
    <message>
        <location filename="../../ui/models/buddies.py" line="94" />
        <source>on {count} devices</source>
        <translation>on {count} devices</translation>
    </message>
    <message>
        <location filename="../../ui/models/buddies.py" line="97" />
        <source>last seen {when}</source>
        <translation>last seen {when}</translation>
    </message>
    <message>
        <location filename="../../ui/models/buddies.py" line="110" />
        <source>You: {text}</source>
        <translation>You: {text}</translation>
    </message>
    <message>
        <location filename="../../ui/delegates/buddy.py" line="30" />
        <source>Draft:</source>
        <extracomment>Put before a conversation&apos;s unsent text in the list.</extracomment>
        <translation>Draft:</translation>
    </message>
</context>
<context>
    <name>conversation</name>
    <message>
        <location filename="../../ui/models/conversation.py" line="56" />
        <source>Received {when}</source>
        <extracomment>Messages read per page. Messages from one side closer together than this are drawn as a group. The date separator (&quot;Today&quot;, &quot;Monday 23 November&quot;), when the day changes here. The &quot;New messages&quot; line: the first message the user has not read. Follows a message from the same side shortly before: drawn close to it.</extracomment>
        <translation>Received {when}</translation>
    </message>
    <message>
        <location filename="../../ui/models/conversation.py" line="58" />
        <source>{state}
Sent {when}</source>
        <translation>{state}
Sent {when}</translation>
    </message>
    <message>
        <location filename="../../ui/models/conversation.py" line="76" />
        <source>{state} at {time}</source>
        <translation>{state} at {time}</translation>
    </message>
    <message>
        <location filename="../../ui/models/conversation.py" line="106" />
        <source>Not sent: {reason}. Will try again at {time}</source>
        <translation>Not sent: {reason}. Will try again at {time}</translation>
    </message>
    <message>
        <location filename="../../ui/models/conversation.py" line="110" />
        <source>Not sent: {reason}. Gave up after {hours} hours</source>
        <translation>Not sent: {reason}. Gave up after {hours} hours</translation>
    </message>
    <message>
        <location filename="../../ui/models/conversation.py" line="113" />
        <source>Not sent: {reason}</source>
        <translation>Not sent: {reason}</translation>
    </message>
    <message>
        <location filename="../../ui/models/conversation.py" line="116" />
        <source>Declined: {reason}</source>
        <translation>Declined: {reason}</translation>
    </message>
    <message>
        <location filename="../../ui/models/conversation.py" line="124" />
        <source>Waiting for the earlier message to go first</source>
        <translation>Waiting for the earlier message to go first</translation>
    </message>
    <message>
        <location filename="../../ui/models/conversation.py" line="120" />
        <source>Waiting for the connection</source>
        <translation>Waiting for the connection</translation>
    </message>
    <message>
        <location filename="../../ui/models/conversation.py" line="121" />
        <source>Sending…</source>
        <translation>Sending…</translation>
    </message>
    <message>
        <location filename="../../ui/delegates/message_bubble.py" line="223" />
        <source>Retry</source>
        <extracomment>Widest a bubble gets, as a fraction of the view. Space between the text and the time line. How much of the highlight colour a sent bubble takes over the base, and how much of the text colour a received one does: drawn from the palette, so light and dark themes both read well. Height of a date separator or the &quot;New messages&quot; line. Top margin of a bubble that follows one from the same side. States a click on the icon or the Retry button retries. Padding inside the Retry button, each side of its label. Sizes kept before the size cache starts over (resizing makes new widths). Laid-out bubbles kept for painting: a few screens&apos; worth, since each holds a text layout with its glyphs. The line under the text (&quot;Not sent: …&quot;, &quot;Sending…&quot;; &quot;&quot; for none). Whether the bubble carries a Retry button. The time, laid out once: drawing static text skips shaping it again. The date separator&apos;s text and where it goes (None: no separator). Where the &quot;New messages&quot; line goes (None: not here). The status line, laid out, and where it goes (None: no line). The Retry button (None: no button). The links in the text (`ui.delegates.bubble_links`), drawn underlined. QTextLayout breaks lines only at U+2028 LINE SEPARATOR; a newline would be drawn as nothing and join the lines around it.</extracomment>
        <translation>Retry</translation>
    </message>
    <message>
        <location filename="../../ui/delegates/message_bubble.py" line="485" />
        <source>New messages</source>
        <extracomment>What decides a bubble&apos;s layout besides its text: (id, width, marks, status line, Retry button). The user clicked the red mark of a failed or declined message.</extracomment>
        <translation>New messages</translation>
    </message>
</context>
<context>
    <name>core</name>
    <message>
        <location filename="../../ui/core_text.py" line="41" />
        <source>Not registered</source>
        <extracomment>The translation context of the core&apos;s sentences. Every template the core&apos;s ``say(...)`` calls use (checked by a test).</extracomment>
        <translation>Not registered</translation>
    </message>
    <message>
        <location filename="../../ui/core_text.py" line="42" />
        <source>Registering as {who}…</source>
        <translation>Registering as {who}…</translation>
    </message>
    <message>
        <location filename="../../ui/core_text.py" line="43" />
        <source>Registered as {who}</source>
        <translation>Registered as {who}</translation>
    </message>
    <message>
        <location filename="../../ui/core_text.py" line="44" />
        <source>Registered as {who} (via {server})</source>
        <translation>Registered as {who} (via {server})</translation>
    </message>
    <message>
        <location filename="../../ui/core_text.py" line="45" />
        <source>Registered as {who} (via {server}, {transport})</source>
        <translation>Registered as {who} (via {server}, {transport})</translation>
    </message>
    <message>
        <location filename="../../ui/core_text.py" line="46" />
        <source>Connection to {server} lost ({reason}), trying again…</source>
        <translation>Connection to {server} lost ({reason}), trying again…</translation>
    </message>
    <message>
        <location filename="../../ui/core_text.py" line="47" />
        <source>Connection to {server} lost</source>
        <translation>Connection to {server} lost</translation>
    </message>
    <message>
        <location filename="../../ui/core_text.py" line="48" />
        <source>No answer from {server} after {seconds} s</source>
        <translation>No answer from {server} after {seconds} s</translation>
    </message>
    <message>
        <location filename="../../ui/core_text.py" line="49" />
        <source>Cannot reach {server} ({reason})</source>
        <translation>Cannot reach {server} ({reason})</translation>
    </message>
    <message>
        <location filename="../../ui/core_text.py" line="50" />
        <source>Wrong credentials (the server refused them)</source>
        <translation>Wrong credentials (the server refused them)</translation>
    </message>
    <message>
        <location filename="../../ui/core_text.py" line="51" />
        <source>Wrong credentials ({code} {reason})</source>
        <translation>Wrong credentials ({code} {reason})</translation>
    </message>
    <message>
        <location filename="../../ui/core_text.py" line="52" />
        <source>Wrong credentials ({code})</source>
        <translation>Wrong credentials ({code})</translation>
    </message>
    <message>
        <location filename="../../ui/core_text.py" line="53" />
        <source>The server asks for a password ({code})</source>
        <translation>The server asks for a password ({code})</translation>
    </message>
    <message>
        <location filename="../../ui/core_text.py" line="54" />
        <source>Unknown user ({code} {reason})</source>
        <translation>Unknown user ({code} {reason})</translation>
    </message>
    <message>
        <location filename="../../ui/core_text.py" line="55" />
        <source>Server refused: {code} {reason}</source>
        <translation>Server refused: {code} {reason}</translation>
    </message>
    <message>
        <location filename="../../ui/core_text.py" line="56" />
        <source>{problem}, trying again in {seconds} s</source>
        <translation>{problem}, trying again in {seconds} s</translation>
    </message>
    <message>
        <location filename="../../ui/core_text.py" line="57" />
        <source>Trying {server}…</source>
        <translation>Trying {server}…</translation>
    </message>
    <message>
        <location filename="../../ui/core_text.py" line="59" />
        <source>online on {count} device</source>
        <translation>online on {count} device</translation>
    </message>
    <message>
        <location filename="../../ui/core_text.py" line="60" />
        <source>online on {count} devices</source>
        <translation>online on {count} devices</translation>
    </message>
    <message>
        <location filename="../../ui/core_text.py" line="61" />
        <source>offline</source>
        <translation>offline</translation>
    </message>
    <message>
        <location filename="../../ui/core_text.py" line="62" />
        <source>offline, last seen {when}</source>
        <translation>offline, last seen {when}</translation>
    </message>
    <message>
        <location filename="../../ui/core_text.py" line="63" />
        <source>unknown (server unreachable)</source>
        <translation>unknown (server unreachable)</translation>
    </message>
    <message>
        <location filename="../../ui/core_text.py" line="64" />
        <source>unknown (server unreachable), last seen {when}</source>
        <translation>unknown (server unreachable), last seen {when}</translation>
    </message>
    <message>
        <location filename="../../ui/core_text.py" line="65" />
        <source>unknown (reconnecting)</source>
        <translation>unknown (reconnecting)</translation>
    </message>
    <message>
        <location filename="../../ui/core_text.py" line="66" />
        <source>unknown (reconnecting), last seen {when}</source>
        <translation>unknown (reconnecting), last seen {when}</translation>
    </message>
    <message>
        <location filename="../../ui/core_text.py" line="67" />
        <source>not allowed ({why})</source>
        <translation>not allowed ({why})</translation>
    </message>
    <message>
        <location filename="../../ui/core_text.py" line="68" />
        <source>unknown user ({why})</source>
        <translation>unknown user ({why})</translation>
    </message>
    <message>
        <location filename="../../ui/core_text.py" line="69" />
        <source>unknown: {why}</source>
        <translation>unknown: {why}</translation>
    </message>
    <message>
        <location filename="../../ui/core_text.py" line="70" />
        <source>unknown: subscription ended ({why})</source>
        <translation>unknown: subscription ended ({why})</translation>
    </message>
    <message>
        <location filename="../../ui/core_text.py" line="71" />
        <source>unknown: subscription ended ({why}), retrying in {seconds} s</source>
        <translation>unknown: subscription ended ({why}), retrying in {seconds} s</translation>
    </message>
    <message>
        <location filename="../../ui/core_text.py" line="72" />
        <source>waiting for authorization</source>
        <translation>waiting for authorization</translation>
    </message>
    <message>
        <location filename="../../ui/core_text.py" line="73" />
        <source>subscribing…</source>
        <translation>subscribing…</translation>
    </message>
    <message>
        <location filename="../../ui/core_text.py" line="74" />
        <source>subscribed</source>
        <translation>subscribed</translation>
    </message>
    <message>
        <location filename="../../ui/core_text.py" line="75" />
        <source>not watched</source>
        <translation>not watched</translation>
    </message>
    <message>
        <location filename="../../ui/core_text.py" line="77" />
        <source>Type an address like bob@example.com</source>
        <translation>Type an address like bob@example.com</translation>
    </message>
    <message>
        <location filename="../../ui/core_text.py" line="78" />
        <source>{text} is not a SIP address: {reason}</source>
        <translation>{text} is not a SIP address: {reason}</translation>
    </message>
    <message>
        <location filename="../../ui/core_text.py" line="79" />
        <source>{text} has no user part; type an address like bob@example.com</source>
        <translation>{text} has no user part; type an address like bob@example.com</translation>
    </message>
    <message>
        <location filename="../../ui/core_text.py" line="81" />
        <source>The link is too long to open ({length} characters; at most {limit}).</source>
        <translation>The link is too long to open ({length} characters; at most {limit}).</translation>
    </message>
    <message>
        <location filename="../../ui/core_text.py" line="84" />
        <source>Softphone opens only sip: and sips: links, not {scheme}: links.</source>
        <translation>Softphone opens only sip: and sips: links, not {scheme}: links.</translation>
    </message>
    <message>
        <location filename="../../ui/core_text.py" line="87" />
        <source>Softphone opens only sip: and sips: links, not this.</source>
        <translation>Softphone opens only sip: and sips: links, not this.</translation>
    </message>
    <message>
        <location filename="../../ui/core_text.py" line="88" />
        <source>The link contains a line break or control character, which could add SIP headers; it was not opened.</source>
        <translation>The link contains a line break or control character, which could add SIP headers; it was not opened.</translation>
    </message>
    <message>
        <location filename="../../ui/core_text.py" line="93" />
        <source>The link is not a valid SIP address: {reason}.</source>
        <translation>The link is not a valid SIP address: {reason}.</translation>
    </message>
    <message>
        <location filename="../../ui/core_text.py" line="94" />
        <source>The link names no one: it needs an address like sip:alice@example.com.</source>
        <translation>The link names no one: it needs an address like sip:alice@example.com.</translation>
    </message>
    <message>
        <location filename="../../ui/core_text.py" line="97" />
        <source>The link contains a password; it was not opened.</source>
        <translation>The link contains a password; it was not opened.</translation>
    </message>
    <message>
        <location filename="../../ui/core_text.py" line="98" />
        <source>The link asks to set the {header} header; only a message text (?body=) may come with a link.</source>
        <translation>The link asks to set the {header} header; only a message text (?body=) may come with a link.</translation>
    </message>
    <message>
        <location filename="../../ui/core_text.py" line="103" />
        <source>The link gives the message text twice.</source>
        <translation>The link gives the message text twice.</translation>
    </message>
    <message>
        <location filename="../../ui/core_text.py" line="104" />
        <source>The link&apos;s message text is not valid UTF-8.</source>
        <translation>The link&apos;s message text is not valid UTF-8.</translation>
    </message>
    <message>
        <location filename="../../ui/core_text.py" line="106" />
        <source>Cannot look up {name}: {problem}</source>
        <translation>Cannot look up {name}: {problem}</translation>
    </message>
    <message>
        <location filename="../../ui/core_text.py" line="107" />
        <source>No SIP server found for {name}: {why}</source>
        <translation>No SIP server found for {name}: {why}</translation>
    </message>
    <message>
        <location filename="../../ui/core_text.py" line="108" />
        <source>the name has no address</source>
        <translation>the name has no address</translation>
    </message>
    <message>
        <location filename="../../ui/core_text.py" line="109" />
        <source>the domain says it offers no SIP service</source>
        <translation>the domain says it offers no SIP service</translation>
    </message>
    <message>
        <location filename="../../ui/core_text.py" line="110" />
        <source>its SIP servers ({names}) have no address</source>
        <translation>its SIP servers ({names}) have no address</translation>
    </message>
    <message>
        <location filename="../../ui/core_text.py" line="111" />
        <source>the domain has no SIP records</source>
        <translation>the domain has no SIP records</translation>
    </message>
    <message>
        <location filename="../../ui/core_text.py" line="112" />
        <source>it has no {family} address</source>
        <translation>it has no {family} address</translation>
    </message>
    <message>
        <location filename="../../ui/core_text.py" line="113" />
        <source>this computer has no DNS server configured</source>
        <translation>this computer has no DNS server configured</translation>
    </message>
    <message>
        <location filename="../../ui/core_text.py" line="114" />
        <source>no DNS server</source>
        <translation>no DNS server</translation>
    </message>
    <message>
        <location filename="../../ui/core_text.py" line="115" />
        <source>the DNS server did not answer</source>
        <translation>the DNS server did not answer</translation>
    </message>
    <message>
        <location filename="../../ui/core_text.py" line="116" />
        <source>the DNS server at {server} did not answer</source>
        <translation>the DNS server at {server} did not answer</translation>
    </message>
    <message>
        <location filename="../../ui/core_text.py" line="117" />
        <source>the DNS server refused or failed the lookup</source>
        <translation>the DNS server refused or failed the lookup</translation>
    </message>
    <message>
        <location filename="../../ui/core_text.py" line="118" />
        <source>the DNS server at {server} refused or failed the lookup</source>
        <translation>the DNS server at {server} refused or failed the lookup</translation>
    </message>
    <message>
        <location filename="../../ui/core_text.py" line="119" />
        <source>the DNS lookup failed ({error})</source>
        <translation>the DNS lookup failed ({error})</translation>
    </message>
    <message>
        <location filename="../../ui/core_text.py" line="120" />
        <source>{text} is not a host or host:port</source>
        <translation>{text} is not a host or host:port</translation>
    </message>
    <message>
        <location filename="../../ui/core_text.py" line="121" />
        <source>{text} has no host</source>
        <translation>{text} has no host</translation>
    </message>
    <message>
        <location filename="../../ui/core_text.py" line="122" />
        <source>{text} is not a port number</source>
        <translation>{text} is not a port number</translation>
    </message>
    <message>
        <location filename="../../ui/core_text.py" line="123" />
        <source>No server to subscribe at</source>
        <translation>No server to subscribe at</translation>
    </message>
    <message>
        <location filename="../../ui/core_text.py" line="124" />
        <source>No server to send the request to</source>
        <translation>No server to send the request to</translation>
    </message>
    <message>
        <location filename="../../ui/core_text.py" line="126" />
        <source>The address of record must look like sip:alice@example.com</source>
        <translation>The address of record must look like sip:alice@example.com</translation>
    </message>
    <message>
        <location filename="../../ui/core_text.py" line="127" />
        <source>The address of record must look like sip:alice@example.com, not {value}</source>
        <translation>The address of record must look like sip:alice@example.com, not {value}</translation>
    </message>
    <message>
        <location filename="../../ui/core_text.py" line="130" />
        <source>Enter the address of record, like sip:alice@example.com</source>
        <translation>Enter the address of record, like sip:alice@example.com</translation>
    </message>
    <message>
        <location filename="../../ui/core_text.py" line="131" />
        <source>Display name</source>
        <translation>Display name</translation>
    </message>
    <message>
        <location filename="../../ui/core_text.py" line="132" />
        <source>User name</source>
        <translation>User name</translation>
    </message>
    <message>
        <location filename="../../ui/core_text.py" line="133" />
        <source>{what} must be text, not {value}</source>
        <translation>{what} must be text, not {value}</translation>
    </message>
    <message>
        <location filename="../../ui/core_text.py" line="134" />
        <source>{what} must be one line of text</source>
        <translation>{what} must be one line of text</translation>
    </message>
    <message>
        <location filename="../../ui/core_text.py" line="135" />
        <source>The registrar</source>
        <translation>The registrar</translation>
    </message>
    <message>
        <location filename="../../ui/core_text.py" line="136" />
        <source>The outbound proxy</source>
        <translation>The outbound proxy</translation>
    </message>
    <message>
        <location filename="../../ui/core_text.py" line="137" />
        <source>{what} must be a host name or address with an optional port, like example.com:5060, not {value}</source>
        <translation>{what} must be a host name or address with an optional port, like example.com:5060, not {value}</translation>
    </message>
    <message>
        <location filename="../../ui/core_text.py" line="142" />
        <source>Transport must be udp, tcp or tls, not {value}</source>
        <translation>Transport must be udp, tcp or tls, not {value}</translation>
    </message>
    <message>
        <location filename="../../ui/core_text.py" line="143" />
        <source>Local port must be a whole number between {low} and {high}</source>
        <translation>Local port must be a whole number between {low} and {high}</translation>
    </message>
    <message>
        <location filename="../../ui/core_text.py" line="144" />
        <source>The registration time must be a whole number of seconds between {low} and {high}</source>
        <translation>The registration time must be a whole number of seconds between {low} and {high}</translation>
    </message>
    <message>
        <location filename="../../ui/core_text.py" line="148" />
        <source>Sending read receipts must be true or false</source>
        <translation>Sending read receipts must be true or false</translation>
    </message>
    <message>
        <location filename="../../ui/core_text.py" line="149" />
        <source>Asking for read receipts must be true or false</source>
        <translation>Asking for read receipts must be true or false</translation>
    </message>
    <message>
        <location filename="../../ui/core_text.py" line="150" />
        <source>Accepting direct messages must be true or false</source>
        <translation>Accepting direct messages must be true or false</translation>
    </message>
    <message>
        <location filename="../../ui/core_text.py" line="151" />
        <source>The DNS server must be text, not {value}</source>
        <translation>The DNS server must be text, not {value}</translation>
    </message>
    <message>
        <location filename="../../ui/core_text.py" line="152" />
        <source>The DNS server must be an IP address with an optional port, like 192.0.2.53 or [2001:db8::53]:5353, not {value}</source>
        <translation>The DNS server must be an IP address with an optional port, like 192.0.2.53 or [2001:db8::53]:5353, not {value}</translation>
    </message>
    <message>
        <location filename="../../ui/core_text.py" line="157" />
        <source>The keep-alive interval must be 0 (off) or a whole number of seconds between {low} and {high}</source>
        <translation>The keep-alive interval must be 0 (off) or a whole number of seconds between {low} and {high}</translation>
    </message>
    <message>
        <location filename="../../ui/core_text.py" line="162" />
        <source>The password variable must be an environment variable name like SOFTPHONE_PASSWORD, not {value}</source>
        <translation>The password variable must be an environment variable name like SOFTPHONE_PASSWORD, not {value}</translation>
    </message>
    <message>
        <location filename="../../ui/core_text.py" line="167" />
        <source>The settings file {path} cannot be read: {error}</source>
        <translation>The settings file {path} cannot be read: {error}</translation>
    </message>
    <message>
        <location filename="../../ui/core_text.py" line="168" />
        <source>The settings file {path} is not valid TOML: {error}</source>
        <translation>The settings file {path} is not valid TOML: {error}</translation>
    </message>
    <message>
        <location filename="../../ui/core_text.py" line="169" />
        <source>The settings file {path} has no [account] section</source>
        <translation>The settings file {path} has no [account] section</translation>
    </message>
    <message>
        <location filename="../../ui/core_text.py" line="170" />
        <source>The settings file holds a password, which does not belong there: remove it; Softphone keeps the password in the keyring, or asks for it</source>
        <translation>The settings file holds a password, which does not belong there: remove it; Softphone keeps the password in the keyring, or asks for it</translation>
    </message>
    <message>
        <location filename="../../ui/core_text.py" line="175" />
        <source>Unknown setting {name} in the [account] section</source>
        <translation>Unknown setting {name} in the [account] section</translation>
    </message>
    <message>
        <location filename="../../ui/core_text.py" line="176" />
        <source>The settings file has no address of record</source>
        <translation>The settings file has no address of record</translation>
    </message>
    <message>
        <location filename="../../ui/core_text.py" line="177" />
        <source>The keyring backend {backend} would keep the password in a plain file or not at all, so it is not stored; use the desktop&apos;s keyring (Secret Service, KWallet, macOS Keychain, Windows Credential Locker), or keep the password in an environment variable</source>
        <translation>The keyring backend {backend} would keep the password in a plain file or not at all, so it is not stored; use the desktop&apos;s keyring (Secret Service, KWallet, macOS Keychain, Windows Credential Locker), or keep the password in an environment variable</translation>
    </message>
    <message>
        <location filename="../../ui/core_text.py" line="184" />
        <source>No keyring is available to keep the password; keep it in an environment variable instead</source>
        <translation>No keyring is available to keep the password; keep it in an environment variable instead</translation>
    </message>
    <message>
        <location filename="../../ui/core_text.py" line="189" />
        <source>The keyring refused to keep the password: {error}</source>
        <translation>The keyring refused to keep the password: {error}</translation>
    </message>
    <message>
        <location filename="../../ui/core_text.py" line="190" />
        <source>There is no settings file at {path}</source>
        <translation>There is no settings file at {path}</translation>
    </message>
    <message>
        <location filename="../../ui/core_text.py" line="191" />
        <source>The settings file {path} is not usable: {problem}</source>
        <translation>The settings file {path} is not usable: {problem}</translation>
    </message>
    <message>
        <location filename="../../ui/core_text.py" line="192" />
        <source>No account is set up: give --aor sip:alice@example.com (and --password-env), or set one up in the app</source>
        <translation>No account is set up: give --aor sip:alice@example.com (and --password-env), or set one up in the app</translation>
    </message>
    <message>
        <location filename="../../ui/core_text.py" line="197" />
        <source>The environment variable {name}, which should hold the password for {address}, is empty; put the password in it</source>
        <translation>The environment variable {name}, which should hold the password for {address}, is empty; put the password in it</translation>
    </message>
    <message>
        <location filename="../../ui/core_text.py" line="202" />
        <source>The environment variable {name}, which should hold the password for {address}, is not set, and the keyring holds no password for it either</source>
        <translation>The environment variable {name}, which should hold the password for {address}, is not set, and the keyring holds no password for it either</translation>
    </message>
    <message>
        <location filename="../../ui/core_text.py" line="207" />
        <source>The data folder cannot be used: {error}</source>
        <translation>The data folder cannot be used: {error}</translation>
    </message>
    <message>
        <location filename="../../ui/core_text.py" line="208" />
        <source>The message database {path} is a folder; give a file with --db</source>
        <translation>The message database {path} is a folder; give a file with --db</translation>
    </message>
    <message>
        <location filename="../../ui/core_text.py" line="209" />
        <source>{problem}; give another file with --db</source>
        <translation>{problem}; give another file with --db</translation>
    </message>
    <message>
        <location filename="../../ui/core_text.py" line="210" />
        <source>The message database {path} cannot be opened: {error}</source>
        <translation>The message database {path} cannot be opened: {error}</translation>
    </message>
    <message>
        <location filename="../../ui/core_text.py" line="219" />
        <source>written and stored, waiting to be sent</source>
        <extracomment>Sentences the store keeps in English (a message&apos;s timeline, `softphone.services.timeline`), translated when shown by matching them against these templates.</extracomment>
        <translation>written and stored, waiting to be sent</translation>
    </message>
    <message>
        <location filename="../../ui/core_text.py" line="220" />
        <source>received and stored</source>
        <translation>received and stored</translation>
    </message>
    <message>
        <location filename="../../ui/core_text.py" line="221" />
        <source>MESSAGE as {kind} (CSeq {cseq}) to {address} over {transport}</source>
        <translation>MESSAGE as {kind} (CSeq {cseq}) to {address} over {transport}</translation>
    </message>
    <message>
        <location filename="../../ui/core_text.py" line="222" />
        <source>{code} {reason} from {address} over {transport}</source>
        <translation>{code} {reason} from {address} over {transport}</translation>
    </message>
    <message>
        <location filename="../../ui/core_text.py" line="223" />
        <source>receipt: {what}</source>
        <translation>receipt: {what}</translation>
    </message>
    <message>
        <location filename="../../ui/core_text.py" line="224" />
        <source>receipt: {what}; state unchanged</source>
        <translation>receipt: {what}; state unchanged</translation>
    </message>
    <message>
        <location filename="../../ui/core_text.py" line="225" />
        <source>receipt: {what} (sent {when})</source>
        <translation>receipt: {what} (sent {when})</translation>
    </message>
    <message>
        <location filename="../../ui/core_text.py" line="226" />
        <source>receipt: {what} (sent {when}); state unchanged</source>
        <translation>receipt: {what} (sent {when}); state unchanged</translation>
    </message>
    <message>
        <location filename="../../ui/core_text.py" line="228" />
        <source>{state}; will try again at {time}</source>
        <translation>{state}; will try again at {time}</translation>
    </message>
    <message>
        <location filename="../../ui/core_text.py" line="229" />
        <source>{state}; no more automatic resends (a day after the first attempt)</source>
        <translation>{state}; no more automatic resends (a day after the first attempt)</translation>
    </message>
    <message>
        <location filename="../../ui/core_text.py" line="233" />
        <source>kept back until the earlier message is sent again, so they arrive in order</source>
        <translation>kept back until the earlier message is sent again, so they arrive in order</translation>
    </message>
    <message>
        <location filename="../../ui/core_text.py" line="241" />
        <source>connection closed by peer</source>
        <extracomment>Why a connection or a request failed, as this program&apos;s transports, its transactions and the keep-alive say it in English (softphone/transport/, softphone/agent.py, softphone/keepalive.py): the reason inside &quot;Connection to ... lost (...)&quot;, translated by matching (a test checks each against the code).</extracomment>
        <translation>connection closed by peer</translation>
    </message>
    <message>
        <location filename="../../ui/core_text.py" line="242" />
        <source>connection lost: {error}</source>
        <translation>connection lost: {error}</translation>
    </message>
    <message>
        <location filename="../../ui/core_text.py" line="243" />
        <source>connection refused</source>
        <translation>connection refused</translation>
    </message>
    <message>
        <location filename="../../ui/core_text.py" line="244" />
        <source>connection error</source>
        <translation>connection error</translation>
    </message>
    <message>
        <location filename="../../ui/core_text.py" line="245" />
        <source>no answer to the connection</source>
        <translation>no answer to the connection</translation>
    </message>
    <message>
        <location filename="../../ui/core_text.py" line="246" />
        <source>cannot connect: {error}</source>
        <translation>cannot connect: {error}</translation>
    </message>
    <message>
        <location filename="../../ui/core_text.py" line="247" />
        <source>too many open connections</source>
        <translation>too many open connections</translation>
    </message>
    <message>
        <location filename="../../ui/core_text.py" line="248" />
        <source>the server&apos;s certificate cannot be trusted (certificate verify failed: {why})</source>
        <translation>the server&apos;s certificate cannot be trusted (certificate verify failed: {why})</translation>
    </message>
    <message>
        <location filename="../../ui/core_text.py" line="252" />
        <source>no answer after {seconds} s</source>
        <translation>no answer after {seconds} s</translation>
    </message>
    <message>
        <location filename="../../ui/core_text.py" line="253" />
        <source>the agent was closed</source>
        <translation>the agent was closed</translation>
    </message>
    <message>
        <location filename="../../ui/core_text.py" line="254" />
        <source>no answer to a keep-alive within {seconds} s</source>
        <translation>no answer to a keep-alive within {seconds} s</translation>
    </message>
    <message>
        <location filename="../../ui/core_text.py" line="255" />
        <source>no answer from the server within {seconds} s</source>
        <translation>no answer from the server within {seconds} s</translation>
    </message>
    <message>
        <location filename="../../ui/core_text.py" line="256" />
        <source>no {transport} transport</source>
        <translation>no {transport} transport</translation>
    </message>
    <message>
        <location filename="../../ui/core_text.py" line="274" />
        <source>queued</source>
        <extracomment>The field of a core template that holds one of `REASONS` (this program&apos;s own words, never a server&apos;s reason phrase, which stays as it came). Fields of a sentence said in English that are themselves the core&apos;s sentences. The steps of a message&apos;s timeline (`Store.events` kinds).</extracomment>
        <translation>queued</translation>
    </message>
    <message>
        <location filename="../../ui/core_text.py" line="275" />
        <source>sent</source>
        <translation>sent</translation>
    </message>
    <message>
        <location filename="../../ui/core_text.py" line="276" />
        <source>response</source>
        <translation>response</translation>
    </message>
    <message>
        <location filename="../../ui/core_text.py" line="277" />
        <source>state</source>
        <translation>state</translation>
    </message>
    <message>
        <location filename="../../ui/core_text.py" line="278" />
        <source>receipt</source>
        <translation>receipt</translation>
    </message>
    <message>
        <location filename="../../ui/core_text.py" line="279" />
        <source>stored</source>
        <translation>stored</translation>
    </message>
    <message>
        <location filename="../../ui/core_text.py" line="284" />
        <source>waiting to be sent</source>
        <extracomment>The first words of a message&apos;s state (&quot;failed&quot;, &quot;delivered to ...&quot;).</extracomment>
        <translation>waiting to be sent</translation>
    </message>
    <message>
        <location filename="../../ui/core_text.py" line="285" />
        <source>sending</source>
        <translation>sending</translation>
    </message>
    <message>
        <location filename="../../ui/core_text.py" line="286" />
        <source>delivered to the recipient&apos;s device</source>
        <translation>delivered to the recipient&apos;s device</translation>
    </message>
    <message>
        <location filename="../../ui/core_text.py" line="287" />
        <source>accepted for later delivery</source>
        <translation>accepted for later delivery</translation>
    </message>
    <message>
        <location filename="../../ui/core_text.py" line="288" />
        <source>failed</source>
        <translation>failed</translation>
    </message>
    <message>
        <location filename="../../ui/core_text.py" line="289" />
        <source>declined by recipient</source>
        <translation>declined by recipient</translation>
    </message>
    <message>
        <location filename="../../ui/core_text.py" line="290" />
        <source>read by the recipient</source>
        <translation>read by the recipient</translation>
    </message>
    <message>
        <location filename="../../ui/core_text.py" line="295" />
        <source>no answer from the server after {timeout} s</source>
        <extracomment>A local failure&apos;s sentence (`softphone.sip.delivery.failure_reason`).</extracomment>
        <translation>no answer from the server after {timeout} s</translation>
    </message>
    <message>
        <location filename="../../ui/core_text.py" line="296" />
        <source>could not reach the server</source>
        <translation>could not reach the server</translation>
    </message>
    <message>
        <location filename="../../ui/core_text.py" line="297" />
        <source>could not find the server&apos;s address</source>
        <translation>could not find the server&apos;s address</translation>
    </message>
    <message>
        <location filename="../../ui/core_text.py" line="298" />
        <source>message too large to send over UDP (more than 1300 bytes)</source>
        <translation>message too large to send over UDP (more than 1300 bytes)</translation>
    </message>
    <message>
        <location filename="../../ui/core_text.py" line="301" />
        <source>the server refused the user name or password</source>
        <translation>the server refused the user name or password</translation>
    </message>
    <message>
        <location filename="../../ui/core_text.py" line="304" />
        <source>closed before the server answered</source>
        <translation>closed before the server answered</translation>
    </message>
</context>
<context>
    <name>dates</name>
    <message>
        <location filename="../../ui/dates.py" line="32" />
        <source>Today</source>
        <translation>Today</translation>
    </message>
    <message>
        <location filename="../../ui/dates.py" line="34" />
        <location filename="../../ui/dates.py" line="56" />
        <source>Yesterday</source>
        <translation>Yesterday</translation>
    </message>
    <message>
        <location filename="../../ui/dates.py" line="37" />
        <source>dddd d MMMM</source>
        <translation>dddd d MMMM</translation>
    </message>
    <message>
        <location filename="../../ui/dates.py" line="38" />
        <source>dddd d MMMM yyyy</source>
        <translation>dddd d MMMM yyyy</translation>
    </message>
    <message>
        <location filename="../../ui/dates.py" line="45" />
        <source>dddd d MMMM yyyy, HH:mm:ss</source>
        <translation>dddd d MMMM yyyy, HH:mm:ss</translation>
    </message>
    <message>
        <location filename="../../ui/dates.py" line="61" />
        <source>d MMM</source>
        <translation>d MMM</translation>
    </message>
    <message>
        <location filename="../../ui/dates.py" line="62" />
        <source>d MMM yyyy</source>
        <translation>d MMM yyyy</translation>
    </message>
</context>
<context>
    <name>desktop</name>
    <message>
        <location filename="../../ui/desktop.py" line="157" />
        <source>The command {command} cannot be written into a menu entry</source>
        <extracomment>PNG sizes for menus and panels that do not draw SVG. The entry the package ships; `entry_text` fills in its Exec line.</extracomment>
        <translation>The command {command} cannot be written into a menu entry</translation>
    </message>
    <message>
        <location filename="../../ui/desktop.py" line="211" />
        <source>The icon {path} is not a readable SVG</source>
        <translation>The icon {path} is not a readable SVG</translation>
    </message>
    <message>
        <location filename="../../ui/desktop.py" line="263" />
        <source>The install record {path} is unreadable: {error}</source>
        <extracomment>The command line&apos;s offscreen QGuiApplication, kept alive while it draws.</extracomment>
        <translation>The install record {path} is unreadable: {error}</translation>
    </message>
    <message>
        <location filename="../../ui/desktop.py" line="317" />
        <source>Cannot write the menu entry: {error}</source>
        <translation>Cannot write the menu entry: {error}</translation>
    </message>
    <message>
        <location filename="../../ui/desktop.py" line="459" />
        <source>Cannot change the start at login: {error}</source>
        <translation>Cannot change the start at login: {error}</translation>
    </message>
</context>
<context>
    <name>links</name>
    <message>
        <location filename="../../ui/links.py" line="37" />
        <source>Link refused</source>
        <translation>Link refused</translation>
    </message>
</context>
<context>
    <name>main</name>
    <message>
        <location filename="../../ui/main.py" line="294" />
        <source>Cannot open the network port: {error}</source>
        <translation>Cannot open the network port: {error}</translation>
    </message>
    <message>
        <location filename="../../ui/main.py" line="439" />
        <source>The demo server is not part of this build.</source>
        <translation>The demo server is not part of this build.</translation>
    </message>
    <message>
        <location filename="../../ui/main.py" line="453" />
        <source>The demo could not start: {error}</source>
        <translation>The demo could not start: {error}</translation>
    </message>
    <message>
        <location filename="../../ui/main.py" line="515" />
        <source>The settings could not be saved: {error}</source>
        <translation>The settings could not be saved: {error}</translation>
    </message>
</context>
</TS>
