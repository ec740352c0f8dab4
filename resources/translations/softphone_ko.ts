<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="ko" sourcelanguage="en">
<context>
    <name>AccountDialog</name>
    <message>
        <location filename="../../ui/windows/settings_dialog.py" line="101" />
        <source>Set up your SIP account</source>
        <extracomment>The dialog&apos;s result when &quot;Try it on this computer&quot; was chosen. The user chose &quot;Try it on this computer&quot; instead of an account.</extracomment>
        <translation>SIP 계정 설정</translation>
    </message>
    <message>
        <location filename="../../ui/windows/settings_dialog.py" line="101" />
        <source>Account</source>
        <translation>계정</translation>
    </message>
    <message>
        <location filename="../../ui/windows/settings_dialog.py" line="107" />
        <source>Enter the SIP account your provider gave you. The password is kept in this computer&apos;s keyring, never in the settings file.</source>
        <translation>서비스 제공자에게서 받은 SIP 계정을 입력하세요. 비밀번호는 설정 파일이 아니라 이 컴퓨터의 키링에 보관됩니다.</translation>
    </message>
    <message>
        <location filename="../../ui/windows/settings_dialog.py" line="111" />
        <source>Enter the SIP account your provider gave you.</source>
        <translation>서비스 제공자에게서 받은 SIP 계정을 입력하세요.</translation>
    </message>
    <message>
        <location filename="../../ui/windows/settings_dialog.py" line="116" />
        <source>Address</source>
        <translation>주소</translation>
    </message>
    <message>
        <location filename="../../ui/windows/settings_dialog.py" line="118" />
        <source>Alice Example (optional)</source>
        <translation>홍길동 (선택)</translation>
    </message>
    <message>
        <location filename="../../ui/windows/settings_dialog.py" line="118" />
        <source>Display name</source>
        <translation>표시 이름</translation>
    </message>
    <message>
        <location filename="../../ui/windows/settings_dialog.py" line="121" />
        <source>same as in the address (optional)</source>
        <translation>주소와 같음 (선택)</translation>
    </message>
    <message>
        <location filename="../../ui/windows/settings_dialog.py" line="121" />
        <source>Authentication user name</source>
        <translation>인증 사용자 이름</translation>
    </message>
    <message>
        <location filename="../../ui/windows/settings_dialog.py" line="124" />
        <source>Password</source>
        <translation>비밀번호</translation>
    </message>
    <message>
        <location filename="../../ui/windows/settings_dialog.py" line="125" />
        <source>unchanged</source>
        <translation>바꾸지 않음</translation>
    </message>
    <message>
        <location filename="../../ui/windows/settings_dialog.py" line="129" />
        <source>Password environment variable</source>
        <translation>비밀번호 환경 변수</translation>
    </message>
    <message>
        <location filename="../../ui/windows/settings_dialog.py" line="131" />
        <source>find automatically</source>
        <translation>자동으로 찾기</translation>
    </message>
    <message>
        <location filename="../../ui/windows/settings_dialog.py" line="131" />
        <source>Registrar</source>
        <translation>등록 서버</translation>
    </message>
    <message>
        <location filename="../../ui/windows/settings_dialog.py" line="133" />
        <source>none (optional)</source>
        <translation>없음 (선택)</translation>
    </message>
    <message>
        <location filename="../../ui/windows/settings_dialog.py" line="133" />
        <source>Outbound proxy</source>
        <translation>아웃바운드 프록시</translation>
    </message>
    <message>
        <location filename="../../ui/windows/settings_dialog.py" line="136" />
        <source>the system&apos;s (optional)</source>
        <translation>시스템 설정 (선택)</translation>
    </message>
    <message>
        <location filename="../../ui/windows/settings_dialog.py" line="136" />
        <source>DNS server</source>
        <translation>DNS 서버</translation>
    </message>
    <message>
        <location filename="../../ui/windows/settings_dialog.py" line="139" />
        <source>Transport</source>
        <translation>전송 방식</translation>
    </message>
    <message>
        <location filename="../../ui/windows/settings_dialog.py" line="144" />
        <source>Send &amp;read receipts</source>
        <translation>읽음 확인 보내기(&amp;R)</translation>
    </message>
    <message>
        <location filename="../../ui/windows/settings_dialog.py" line="145" />
        <source>Send read receipts</source>
        <translation>읽음 확인 보내기</translation>
    </message>
    <message>
        <location filename="../../ui/windows/settings_dialog.py" line="148" />
        <source>Tell the sender when a message was shown to you. Delivery receipts are always sent when asked.</source>
        <translation>메시지가 내 화면에 표시되면 보낸 사람에게 알립니다. 전달 확인은 요청이 있으면 항상 보냅니다.</translation>
    </message>
    <message>
        <location filename="../../ui/windows/settings_dialog.py" line="153" />
        <source>As&amp;k for read receipts</source>
        <translation>읽음 확인 요청하기(&amp;K)</translation>
    </message>
    <message>
        <location filename="../../ui/windows/settings_dialog.py" line="154" />
        <source>Ask for read receipts</source>
        <translation>읽음 확인 요청하기</translation>
    </message>
    <message>
        <location filename="../../ui/windows/settings_dialog.py" line="159" />
        <source>Accept messages sent &amp;directly to this computer</source>
        <translation>이 컴퓨터로 직접 보낸 메시지 받기(&amp;D)</translation>
    </message>
    <message>
        <location filename="../../ui/windows/settings_dialog.py" line="162" />
        <source>Accept messages sent directly to this computer</source>
        <translation>이 컴퓨터로 직접 보낸 메시지 받기</translation>
    </message>
    <message>
        <location filename="../../ui/windows/settings_dialog.py" line="166" />
        <source>Off: only messages that come through your provider&apos;s server are taken. On: anyone who can reach this computer can send you messages.</source>
        <translation>끄면: 서비스 제공자의 서버를 거쳐 온 메시지만 받습니다. 켜면: 이 컴퓨터에 닿을 수 있는 누구나 메시지를 보낼 수 있습니다.</translation>
    </message>
    <message>
        <location filename="../../ui/windows/settings_dialog.py" line="176" />
        <source>Keyring</source>
        <translation>키링</translation>
    </message>
    <message>
        <location filename="../../ui/windows/settings_dialog.py" line="184" />
        <source>Password problem</source>
        <extracomment>The server&apos;s refusal of the password, in words, above the field.</extracomment>
        <translation>비밀번호 문제</translation>
    </message>
    <message>
        <location filename="../../ui/windows/settings_dialog.py" line="191" />
        <source>Password &amp;variable:</source>
        <translation>비밀번호 변수(&amp;V):</translation>
    </message>
    <message>
        <location filename="../../ui/windows/settings_dialog.py" line="193" />
        <source>&amp;Address:</source>
        <translation>주소(&amp;A):</translation>
    </message>
    <message>
        <location filename="../../ui/windows/settings_dialog.py" line="194" />
        <source>&amp;Display name:</source>
        <translation>표시 이름(&amp;D):</translation>
    </message>
    <message>
        <location filename="../../ui/windows/settings_dialog.py" line="195" />
        <source>&amp;User name:</source>
        <translation>사용자 이름(&amp;U):</translation>
    </message>
    <message>
        <location filename="../../ui/windows/settings_dialog.py" line="196" />
        <source>&amp;Password:</source>
        <translation>비밀번호(&amp;P):</translation>
    </message>
    <message>
        <location filename="../../ui/windows/settings_dialog.py" line="198" />
        <source>&amp;Registrar:</source>
        <translation>등록 서버(&amp;R):</translation>
    </message>
    <message>
        <location filename="../../ui/windows/settings_dialog.py" line="199" />
        <source>&amp;Outbound proxy:</source>
        <translation>아웃바운드 프록시(&amp;O):</translation>
    </message>
    <message>
        <location filename="../../ui/windows/settings_dialog.py" line="200" />
        <source>D&amp;NS server:</source>
        <translation>DNS 서버(&amp;N):</translation>
    </message>
    <message>
        <location filename="../../ui/windows/settings_dialog.py" line="201" />
        <source>&amp;Transport:</source>
        <translation>전송 방식(&amp;T):</translation>
    </message>
    <message>
        <location filename="../../ui/windows/settings_dialog.py" line="218" />
        <source>Error</source>
        <translation>오류</translation>
    </message>
    <message>
        <location filename="../../ui/windows/settings_dialog.py" line="226" />
        <source>Save</source>
        <translation>저장</translation>
    </message>
    <message>
        <location filename="../../ui/windows/settings_dialog.py" line="226" />
        <source>Sign in</source>
        <translation>로그인</translation>
    </message>
    <message>
        <location filename="../../ui/windows/settings_dialog.py" line="229" />
        <source>Cancel</source>
        <translation>취소</translation>
    </message>
    <message>
        <location filename="../../ui/windows/settings_dialog.py" line="234" />
        <source>Try it on &amp;this computer</source>
        <translation>이 컴퓨터에서 체험하기(&amp;T)</translation>
    </message>
    <message>
        <location filename="../../ui/windows/settings_dialog.py" line="235" />
        <source>Try it on this computer</source>
        <translation>이 컴퓨터에서 체험하기</translation>
    </message>
    <message>
        <location filename="../../ui/windows/settings_dialog.py" line="238" />
        <source>Start a small SIP server on this computer with two test users, to try the app without an account</source>
        <translation>계정 없이 앱을 체험할 수 있도록 테스트 사용자 두 명이 있는 작은 SIP 서버를 이 컴퓨터에서 시작합니다</translation>
    </message>
    <message>
        <location filename="../../ui/windows/settings_dialog.py" line="249" />
        <source>Add Softphone to the applications &amp;menu</source>
        <extracomment>First run only: install the menu entry (`ui.desktop`) once chosen.</extracomment>
        <translation>응용 프로그램 메뉴에 Softphone 추가(&amp;M)</translation>
    </message>
    <message>
        <location filename="../../ui/windows/settings_dialog.py" line="250" />
        <source>Add Softphone to the applications menu</source>
        <translation>응용 프로그램 메뉴에 Softphone 추가</translation>
    </message>
    <message>
        <location filename="../../ui/windows/settings_dialog.py" line="252" />
        <source>A menu entry and icon for you alone; Softphone also opens sip: links</source>
        <translation>나만 쓰는 메뉴 항목과 아이콘입니다. Softphone이 sip: 링크도 엽니다</translation>
    </message>
    <message>
        <location filename="../../ui/windows/settings_dialog.py" line="256" />
        <source>Start Softphone when I &amp;log in</source>
        <translation>로그인할 때 Softphone 시작(&amp;L)</translation>
    </message>
    <message>
        <location filename="../../ui/windows/settings_dialog.py" line="257" />
        <source>Start Softphone when I log in</source>
        <translation>로그인할 때 Softphone 시작</translation>
    </message>
    <message>
        <location filename="../../ui/windows/settings_dialog.py" line="258" />
        <source>Starts in the tray, without opening the window</source>
        <translation>창을 열지 않고 트레이에서 시작합니다</translation>
    </message>
    <message>
        <location filename="../../ui/windows/settings_dialog.py" line="421" />
        <source>{field}: error</source>
        <translation>{field}: 오류</translation>
    </message>
</context>
<context>
    <name>BuddyDetails</name>
    <message>
        <location filename="../../ui/windows/buddy_details.py" line="46" />
        <source>Buddy details</source>
        <translation>친구 정보</translation>
    </message>
    <message>
        <location filename="../../ui/windows/buddy_details.py" line="53" />
        <source>Address</source>
        <translation>주소</translation>
    </message>
    <message>
        <location filename="../../ui/windows/buddy_details.py" line="54" />
        <source>State</source>
        <translation>상태</translation>
    </message>
    <message>
        <location filename="../../ui/windows/buddy_details.py" line="55" />
        <source>Last seen</source>
        <translation>마지막 접속</translation>
    </message>
    <message>
        <location filename="../../ui/windows/buddy_details.py" line="57" />
        <source>Registered devices</source>
        <translation>등록된 기기</translation>
    </message>
    <message>
        <location filename="../../ui/windows/buddy_details.py" line="59" />
        <source>Device address</source>
        <translation>기기 주소</translation>
    </message>
    <message>
        <location filename="../../ui/windows/buddy_details.py" line="59" />
        <source>Registered since</source>
        <translation>등록 시각</translation>
    </message>
    <message>
        <location filename="../../ui/windows/buddy_details.py" line="59" />
        <source>Expires</source>
        <translation>만료</translation>
    </message>
    <message>
        <location filename="../../ui/windows/buddy_details.py" line="65" />
        <source>Online and offline changes</source>
        <translation>온라인·오프라인 변화</translation>
    </message>
    <message>
        <location filename="../../ui/windows/buddy_details.py" line="71" />
        <source>Devices (from the registrar)</source>
        <translation>기기 (등록 서버 정보)</translation>
    </message>
    <message>
        <location filename="../../ui/windows/buddy_details.py" line="73" />
        <source>Recent changes</source>
        <translation>최근 변화</translation>
    </message>
    <message>
        <location filename="../../ui/windows/buddy_details.py" line="85" />
        <source>not known yet</source>
        <translation>아직 알 수 없음</translation>
    </message>
    <message>
        <location filename="../../ui/windows/buddy_details.py" line="90" />
        <source>now (online)</source>
        <translation>지금 (온라인)</translation>
    </message>
    <message>
        <location filename="../../ui/windows/buddy_details.py" line="94" />
        <source>never, so far</source>
        <translation>아직 없음</translation>
    </message>
    <message>
        <location filename="../../ui/windows/buddy_details.py" line="101" />
        <source>not said</source>
        <translation>알려지지 않음</translation>
    </message>
    <message>
        <location filename="../../ui/windows/buddy_details.py" line="115" />
        <source>No change seen yet</source>
        <translation>아직 본 변화가 없습니다</translation>
    </message>
</context>
<context>
    <name>ChatView</name>
    <message>
        <location filename="../../ui/windows/chat_view.py" line="265" />
        <source>Find in this conversation</source>
        <translation>이 대화에서 찾기</translation>
    </message>
    <message>
        <location filename="../../ui/windows/chat_view.py" line="266" />
        <source>Find in conversation</source>
        <translation>대화에서 찾기</translation>
    </message>
    <message>
        <location filename="../../ui/windows/chat_view.py" line="272" />
        <source>Close find bar</source>
        <translation>찾기 막대 닫기</translation>
    </message>
    <message>
        <location filename="../../ui/windows/chat_view.py" line="282" />
        <source>Messages</source>
        <translation>메시지</translation>
    </message>
    <message>
        <location filename="../../ui/windows/chat_view.py" line="296" />
        <source>Message details</source>
        <translation>메시지 정보</translation>
    </message>
    <message>
        <location filename="../../ui/windows/chat_view.py" line="309" />
        <source>Message text</source>
        <translation>메시지 내용</translation>
    </message>
    <message>
        <location filename="../../ui/windows/chat_view.py" line="311" />
        <source>Write a message (Enter sends, Shift+Enter: new line)</source>
        <translation>메시지 입력 (Enter: 보내기, Shift+Enter: 줄바꿈)</translation>
    </message>
    <message>
        <location filename="../../ui/windows/chat_view.py" line="322" />
        <source>Message size</source>
        <translation>메시지 크기</translation>
    </message>
    <message>
        <location filename="../../ui/windows/chat_view.py" line="323" />
        <source>Send</source>
        <translation>보내기</translation>
    </message>
    <message>
        <location filename="../../ui/windows/chat_view.py" line="324" />
        <source>Send message</source>
        <translation>메시지 보내기</translation>
    </message>
    <message>
        <location filename="../../ui/windows/chat_view.py" line="351" />
        <source>No conversation</source>
        <translation>대화 없음</translation>
    </message>
    <message>
        <location filename="../../ui/windows/chat_view.py" line="353" />
        <source>Pick a conversation, or press Ctrl+K to go to one, Ctrl+N to start one</source>
        <translation>대화를 고르세요. Ctrl+K로 대화로 이동, Ctrl+N으로 새 대화</translation>
    </message>
    <message>
        <location filename="../../ui/windows/chat_view.py" line="408" />
        <source>{name} is typing…</source>
        <translation>{name}님이 입력 중…</translation>
    </message>
    <message>
        <location filename="../../ui/windows/chat_view.py" line="521" />
        <source>Long: sent over TCP</source>
        <translation>긴 메시지: TCP로 보냅니다</translation>
    </message>
    <message>
        <location filename="../../ui/windows/chat_view.py" line="523" />
        <source>{size} bytes: more than {limit}, so it is sent over TCP</source>
        <translation>{size}바이트: {limit}바이트를 넘어서 TCP로 보냅니다</translation>
    </message>
    <message>
        <location filename="../../ui/windows/chat_view.py" line="529" />
        <source>Too long for this account</source>
        <translation>이 계정으로 보내기에 너무 깁니다</translation>
    </message>
    <message>
        <location filename="../../ui/windows/chat_view.py" line="531" />
        <source>{size} bytes: this account can send at most {limit}; shorten it</source>
        <translation>{size}바이트: 이 계정은 최대 {limit}바이트까지 보낼 수 있습니다. 줄여 주세요</translation>
    </message>
    <message>
        <location filename="../../ui/windows/chat_view.py" line="614" />
        <source>Copy text</source>
        <translation>텍스트 복사</translation>
    </message>
    <message>
        <location filename="../../ui/windows/chat_view.py" line="630" />
        <source>Message details…</source>
        <translation>메시지 정보…</translation>
    </message>
    <message>
        <location filename="../../ui/windows/chat_view.py" line="691" />
        <source>Not found</source>
        <translation>찾을 수 없음</translation>
    </message>
    <message>
        <location filename="../../ui/windows/chat_view.py" line="302" />
        <location filename="../../ui/windows/chat_view.py" line="618" />
        <source>Retry</source>
        <translation>다시 보내기</translation>
    </message>
    <message>
        <location filename="../../ui/windows/chat_view.py" line="257" />
        <source>Typing</source>
        <extracomment>How long after the last key the draft is written to the store. Rows kept loaded while the list follows new messages. Every append lays out each loaded row again (QListView has no cheaper path for rows of different heights), so older rows are unloaded past this, a page at a time, and paged back in when the user scrolls up. The message list&apos;s scroll bar: a thin handle on the list&apos;s own background. A message of this conversation was deleted (the peer&apos;s address). The kept draft of a conversation changed: (peer, text; &quot;&quot; for none). The user edited the draft for a peer: (peer, draft is not empty). What is on screen may have changed (scroll, new rows, another peer): the window checks which received messages a person could now read. The user asked for a message&apos;s details (context menu or Ctrl+Shift+I; Ctrl+I is the buddy&apos;s details). A link in a message was clicked (a `ui.delegates.bubble_links.LinkSpan`). Whether a message over the UDP limit can go over TCP (set by the window).</extracomment>
        <translation>입력 중</translation>
    </message>
    <message>
        <location filename="../../ui/windows/chat_view.py" line="623" />
        <source>Delete message</source>
        <translation>메시지 삭제</translation>
    </message>
</context>
<context>
    <name>MainWindow</name>
    <message>
        <location filename="../../ui/windows/main_window.py" line="82" />
        <source>{text}, trying again in {seconds} s</source>
        <translation>{text}, {seconds}초 뒤 다시 시도</translation>
    </message>
    <message>
        <location filename="../../ui/windows/main_window.py" line="177" />
        <location filename="../../ui/windows/main_window.py" line="178" />
        <source>Search conversations and buddies</source>
        <extracomment>What a new registration depends on: a change to any of these re-registers. Preference keys in `window_settings()`. The account dialog was saved with changes that need a new registration: (Account, the typed password or None for unchanged). The demo&apos;s made-up account: nothing here may touch the real settings file or keyring. The window&apos;s own preferences (close to tray or quit, said once). Where Account... saves the settings. The account dialog while it is open.</extracomment>
        <translation>대화와 친구 검색</translation>
    </message>
    <message>
        <location filename="../../ui/windows/main_window.py" line="187" />
        <source>Add a buddy</source>
        <translation>친구 추가</translation>
    </message>
    <message>
        <location filename="../../ui/windows/main_window.py" line="191" />
        <source>Buddies</source>
        <translation>친구</translation>
    </message>
    <message>
        <location filename="../../ui/windows/main_window.py" line="234" />
        <source>Not registered</source>
        <extracomment>Opens a web link from a message: the desktop&apos;s browser (tests put their own).</extracomment>
        <translation>등록되지 않음</translation>
    </message>
    <message>
        <location filename="../../ui/windows/main_window.py" line="237" />
        <source>Registration state</source>
        <translation>등록 상태</translation>
    </message>
    <message>
        <location filename="../../ui/windows/main_window.py" line="269" />
        <source>Direct mode (not registering) as {me}</source>
        <translation>{me}(으)로 직접 연결 모드 (등록하지 않음)</translation>
    </message>
    <message>
        <location filename="../../ui/windows/main_window.py" line="312" />
        <source>&amp;New conversation…</source>
        <translation>새 대화(&amp;N)…</translation>
    </message>
    <message>
        <location filename="../../ui/windows/main_window.py" line="314" />
        <source>&amp;Account…</source>
        <translation>계정(&amp;A)…</translation>
    </message>
    <message>
        <location filename="../../ui/windows/main_window.py" line="315" />
        <source>SIP &amp;trace</source>
        <translation>SIP 추적(&amp;T)</translation>
    </message>
    <message>
        <location filename="../../ui/windows/main_window.py" line="317" />
        <source>&amp;Quit</source>
        <translation>끝내기(&amp;Q)</translation>
    </message>
    <message>
        <location filename="../../ui/windows/main_window.py" line="319" />
        <source>Quit when the window is &amp;closed</source>
        <translation>창을 닫으면 끝내기(&amp;C)</translation>
    </message>
    <message>
        <location filename="../../ui/windows/main_window.py" line="326" />
        <source>&amp;Find in conversation</source>
        <translation>대화에서 찾기(&amp;F)</translation>
    </message>
    <message>
        <location filename="../../ui/windows/main_window.py" line="328" />
        <source>&amp;Block sender</source>
        <translation>보낸 사람 차단(&amp;B)</translation>
    </message>
    <message>
        <location filename="../../ui/windows/main_window.py" line="331" />
        <source>&amp;Add buddy…</source>
        <translation>친구 추가(&amp;A)…</translation>
    </message>
    <message>
        <location filename="../../ui/windows/main_window.py" line="332" />
        <source>&amp;Rename buddy…</source>
        <translation>친구 이름 바꾸기(&amp;R)…</translation>
    </message>
    <message>
        <location filename="../../ui/windows/main_window.py" line="333" />
        <source>Re&amp;move buddy</source>
        <translation>친구 삭제(&amp;M)</translation>
    </message>
    <message>
        <location filename="../../ui/windows/main_window.py" line="334" />
        <source>&amp;Softphone</source>
        <translation>Softphone(&amp;S)</translation>
    </message>
    <message>
        <location filename="../../ui/windows/main_window.py" line="340" />
        <source>&amp;Buddies</source>
        <translation>친구(&amp;B)</translation>
    </message>
    <message>
        <location filename="../../ui/windows/main_window.py" line="343" />
        <source>&amp;Go to conversation…</source>
        <translation>대화로 이동(&amp;G)…</translation>
    </message>
    <message>
        <location filename="../../ui/windows/main_window.py" line="344" />
        <source>&amp;Next conversation</source>
        <translation>다음 대화(&amp;N)</translation>
    </message>
    <message>
        <location filename="../../ui/windows/main_window.py" line="347" />
        <source>&amp;Previous conversation</source>
        <translation>이전 대화(&amp;P)</translation>
    </message>
    <message>
        <location filename="../../ui/windows/main_window.py" line="357" />
        <source>Buddy &amp;details…</source>
        <translation>친구 정보(&amp;D)…</translation>
    </message>
    <message>
        <location filename="../../ui/windows/main_window.py" line="359" />
        <source>&amp;Conversation</source>
        <translation>대화(&amp;C)</translation>
    </message>
    <message>
        <location filename="../../ui/windows/main_window.py" line="406" />
        <source>Server {server}</source>
        <translation>서버 {server}</translation>
    </message>
    <message>
        <location filename="../../ui/windows/main_window.py" line="408" />
        <source>No server has answered yet</source>
        <translation>아직 응답한 서버가 없습니다</translation>
    </message>
    <message>
        <location filename="../../ui/windows/main_window.py" line="424" />
        <source>The server asks for the password for {address}</source>
        <translation>서버가 {address}의 비밀번호를 요구합니다</translation>
    </message>
    <message>
        <location filename="../../ui/windows/main_window.py" line="426" />
        <source>The server did not accept the password for {address}</source>
        <translation>서버가 {address}의 비밀번호를 받아들이지 않았습니다</translation>
    </message>
    <message>
        <location filename="../../ui/windows/main_window.py" line="582" />
        <source>blocked</source>
        <translation>차단됨</translation>
    </message>
    <message>
        <location filename="../../ui/windows/main_window.py" line="615" />
        <source>New conversation</source>
        <translation>새 대화</translation>
    </message>
    <message>
        <location filename="../../ui/windows/main_window.py" line="616" />
        <location filename="../../ui/windows/main_window.py" line="792" />
        <source>Address (e.g. bob@example.com):</source>
        <translation>주소 (예: bob@example.com):</translation>
    </message>
    <message>
        <location filename="../../ui/windows/main_window.py" line="639" />
        <source>The message could not be saved: {error}</source>
        <translation>메시지를 저장하지 못했습니다: {error}</translation>
    </message>
    <message>
        <location filename="../../ui/windows/main_window.py" line="651" />
        <source>Cannot retry: {error}</source>
        <translation>다시 보낼 수 없습니다: {error}</translation>
    </message>
    <message>
        <location filename="../../ui/windows/main_window.py" line="188" />
        <location filename="../../ui/windows/main_window.py" line="792" />
        <location filename="../../ui/windows/main_window.py" line="800" />
        <location filename="../../ui/windows/main_window.py" line="803" />
        <source>Add buddy</source>
        <translation>친구 추가</translation>
    </message>
    <message>
        <location filename="../../ui/windows/main_window.py" line="803" />
        <source>Name (optional):</source>
        <translation>이름 (선택):</translation>
    </message>
    <message>
        <location filename="../../ui/windows/main_window.py" line="823" />
        <source>Rename buddy</source>
        <translation>친구 이름 바꾸기</translation>
    </message>
    <message>
        <location filename="../../ui/windows/main_window.py" line="824" />
        <source>Name:</source>
        <translation>이름:</translation>
    </message>
    <message>
        <location filename="../../ui/windows/main_window.py" line="845" />
        <source>Remove buddy</source>
        <translation>친구 삭제</translation>
    </message>
    <message>
        <location filename="../../ui/windows/main_window.py" line="846" />
        <source>Remove {name} from your buddies?</source>
        <translation>{name}님을 친구에서 삭제할까요?</translation>
    </message>
    <message>
        <location filename="../../ui/windows/main_window.py" line="895" />
        <source>Delete conversation</source>
        <translation>대화 삭제</translation>
    </message>
    <message>
        <location filename="../../ui/windows/main_window.py" line="897" />
        <source>Delete the conversation with {name}? Its messages are deleted from this computer only; {name} is not told.</source>
        <translation>{name}님과의 대화를 삭제할까요? 메시지는 이 컴퓨터에서만 삭제되며 {name}님에게는 알리지 않습니다.</translation>
    </message>
    <message>
        <location filename="../../ui/windows/main_window.py" line="942" />
        <source>Details…</source>
        <translation>정보…</translation>
    </message>
    <message>
        <location filename="../../ui/windows/main_window.py" line="944" />
        <source>Rename…</source>
        <translation>이름 바꾸기…</translation>
    </message>
    <message>
        <location filename="../../ui/windows/main_window.py" line="947" />
        <source>Remove from buddies</source>
        <translation>친구에서 삭제</translation>
    </message>
    <message>
        <location filename="../../ui/windows/main_window.py" line="950" />
        <source>Delete conversation…</source>
        <translation>대화 삭제…</translation>
    </message>
    <message>
        <location filename="../../ui/windows/main_window.py" line="953" />
        <source>Unblock</source>
        <translation>차단 해제</translation>
    </message>
    <message>
        <location filename="../../ui/windows/main_window.py" line="953" />
        <source>Block</source>
        <translation>차단</translation>
    </message>
    <message>
        <location filename="../../ui/windows/main_window.py" line="985" />
        <source>Account</source>
        <translation>계정</translation>
    </message>
    <message>
        <location filename="../../ui/windows/main_window.py" line="987" />
        <source>This is the demo: its account is made up and is not saved. To use your own account, quit and start Softphone without the demo.</source>
        <translation>데모입니다. 데모 계정은 가상의 계정이며 저장되지 않습니다. 내 계정을 쓰려면 끝낸 뒤 데모 없이 Softphone을 시작하세요.</translation>
    </message>
    <message>
        <location filename="../../ui/windows/main_window.py" line="1009" />
        <source>The account dialog is not available</source>
        <translation>계정 대화 상자를 열 수 없습니다</translation>
    </message>
    <message>
        <location filename="../../ui/windows/main_window.py" line="1032" />
        <source>The settings could not be saved: {error}</source>
        <translation>설정을 저장하지 못했습니다: {error}</translation>
    </message>
    <message>
        <location filename="../../ui/windows/main_window.py" line="1037" />
        <source>Saved</source>
        <translation>저장했습니다</translation>
    </message>
    <message>
        <location filename="../../ui/windows/main_window.py" line="1059" />
        <source>Softphone is still running</source>
        <translation>Softphone이 계속 실행 중입니다</translation>
    </message>
    <message>
        <location filename="../../ui/windows/main_window.py" line="1061" />
        <source>You stay online and get new messages here. Use Quit in this icon&apos;s menu to go offline.</source>
        <translation>온라인 상태가 유지되며 새 메시지가 여기로 옵니다. 오프라인이 되려면 이 아이콘 메뉴의 끝내기를 고르세요.</translation>
    </message>
    <message>
        <location filename="../../ui/main.py" line="154" />
        <source>Cannot open the network port: {error}</source>
        <extracomment>The flags the app started with (where histories are, what to bind). The password in use; without a keyring, the only copy (memory only).</extracomment>
        <translation>네트워크 포트를 열 수 없습니다: {error}</translation>
    </message>
</context>
<context>
    <name>MessageDetails</name>
    <message>
        <location filename="../../ui/windows/message_details.py" line="55" />
        <source>Message details</source>
        <translation>메시지 정보</translation>
    </message>
    <message>
        <location filename="../../ui/windows/message_details.py" line="61" />
        <source>To:</source>
        <translation>받는 사람:</translation>
    </message>
    <message>
        <location filename="../../ui/windows/message_details.py" line="61" />
        <source>From:</source>
        <translation>보낸 사람:</translation>
    </message>
    <message>
        <location filename="../../ui/windows/message_details.py" line="65" />
        <source>Text:</source>
        <translation>내용:</translation>
    </message>
    <message>
        <location filename="../../ui/windows/message_details.py" line="68" />
        <source>Type:</source>
        <translation>형식:</translation>
    </message>
    <message>
        <location filename="../../ui/windows/message_details.py" line="72" />
        <source>State:</source>
        <translation>상태:</translation>
    </message>
    <message>
        <location filename="../../ui/windows/message_details.py" line="72" />
        <source>received</source>
        <translation>받음</translation>
    </message>
    <message>
        <location filename="../../ui/windows/message_details.py" line="75" />
        <source>Receipts asked:</source>
        <translation>요청된 확인:</translation>
    </message>
    <message>
        <location filename="../../ui/windows/message_details.py" line="77" />
        <source>Timeline</source>
        <translation>진행 과정</translation>
    </message>
    <message>
        <location filename="../../ui/windows/message_details.py" line="78" />
        <source>Time</source>
        <translation>시각</translation>
    </message>
    <message>
        <location filename="../../ui/windows/message_details.py" line="78" />
        <source>Step</source>
        <translation>단계</translation>
    </message>
    <message>
        <location filename="../../ui/windows/message_details.py" line="78" />
        <source>What happened</source>
        <translation>내용</translation>
    </message>
</context>
<context>
    <name>PasswordDialog</name>
    <message>
        <location filename="../../ui/windows/password_dialog.py" line="30" />
        <source>No password store was found on this computer, so Softphone will ask for your password each time it starts.</source>
        <translation>이 컴퓨터에서 비밀번호 저장소를 찾지 못했습니다. 그래서 Softphone을 시작할 때마다 비밀번호를 묻습니다.</translation>
    </message>
    <message>
        <location filename="../../ui/windows/password_dialog.py" line="40" />
        <source>Softphone was set to read the password for {address} from the environment variable {name}, but that variable is not set.</source>
        <translation>Softphone은 {address}의 비밀번호를 환경 변수 {name}에서 읽도록 설정되어 있지만, 그 변수가 설정되어 있지 않습니다.</translation>
    </message>
    <message>
        <location filename="../../ui/windows/password_dialog.py" line="46" />
        <source>Softphone was set to read the password for {address} from the environment variable {name}, but that variable is empty.</source>
        <translation>Softphone은 {address}의 비밀번호를 환경 변수 {name}에서 읽도록 설정되어 있지만, 그 변수가 비어 있습니다.</translation>
    </message>
    <message>
        <location filename="../../ui/windows/password_dialog.py" line="53" />
        <source>Softphone does not know the password for {address} yet.</source>
        <translation>Softphone은 아직 {address}의 비밀번호를 모릅니다.</translation>
    </message>
    <message>
        <location filename="../../ui/windows/password_dialog.py" line="67" />
        <location filename="../../ui/windows/password_dialog.py" line="75" />
        <source>Password</source>
        <translation>비밀번호</translation>
    </message>
    <message>
        <location filename="../../ui/windows/password_dialog.py" line="72" />
        <source>Why the password is asked</source>
        <translation>비밀번호를 묻는 이유</translation>
    </message>
    <message>
        <location filename="../../ui/windows/password_dialog.py" line="80" />
        <source>&amp;Password for {address}:</source>
        <translation>{address}의 비밀번호(&amp;P):</translation>
    </message>
    <message>
        <location filename="../../ui/windows/password_dialog.py" line="87" />
        <source>Sign in</source>
        <translation>로그인</translation>
    </message>
    <message>
        <location filename="../../ui/windows/password_dialog.py" line="106" />
        <source>Type the password to sign in.</source>
        <translation>로그인하려면 비밀번호를 입력하세요.</translation>
    </message>
</context>
<context>
    <name>QDialog</name>
    <message>
        <location filename="../../ui/windows/buddy_details.py" line="37" />
        <source>in {minutes} min</source>
        <translation>{minutes}분 뒤</translation>
    </message>
    <message>
        <location filename="../../ui/windows/buddy_details.py" line="38" />
        <source>in {seconds} s</source>
        <translation>{seconds}초 뒤</translation>
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
        <translation>대화로 이동</translation>
    </message>
    <message>
        <location filename="../../ui/windows/quick_switcher.py" line="31" />
        <source>Type a name or address</source>
        <translation>이름이나 주소를 입력하세요</translation>
    </message>
    <message>
        <location filename="../../ui/windows/quick_switcher.py" line="36" />
        <source>Matching conversations</source>
        <translation>일치하는 대화</translation>
    </message>
</context>
<context>
    <name>TraceModel</name>
    <message>
        <location filename="../../ui/windows/trace_window.py" line="126" />
        <source>Time</source>
        <extracomment>How many messages the window keeps; older ones are dropped first. How many characters of message text it keeps in all (about 40 MB of str at worst), so 5,000 maximum-size datagrams cannot pin gigabytes. The request&apos;s method, or the method a response answers (from CSeq). The response&apos;s status code; None for a request. The whole message, redacted.</extracomment>
        <translation>시각</translation>
    </message>
    <message>
        <location filename="../../ui/windows/trace_window.py" line="128" />
        <source>Transport</source>
        <translation>전송 방식</translation>
    </message>
    <message>
        <location filename="../../ui/windows/trace_window.py" line="129" />
        <source>Peer</source>
        <translation>상대</translation>
    </message>
    <message>
        <location filename="../../ui/windows/trace_window.py" line="130" />
        <source>Message</source>
        <translation>메시지</translation>
    </message>
</context>
<context>
    <name>TraceWindow</name>
    <message>
        <location filename="../../ui/windows/trace_window.py" line="270" />
        <source>All messages</source>
        <extracomment>Role under which `data()` returns the row&apos;s `TraceRow`. The kind filter&apos;s choices: label (English; shown translated) → predicate over (method, status).</extracomment>
        <translation>모든 메시지</translation>
    </message>
    <message>
        <location filename="../../ui/windows/trace_window.py" line="271" />
        <source>Requests</source>
        <translation>요청</translation>
    </message>
    <message>
        <location filename="../../ui/windows/trace_window.py" line="272" />
        <source>Responses</source>
        <translation>응답</translation>
    </message>
    <message>
        <location filename="../../ui/windows/trace_window.py" line="273" />
        <source>Errors (3xx–6xx)</source>
        <translation>오류 (3xx–6xx)</translation>
    </message>
    <message>
        <location filename="../../ui/windows/trace_window.py" line="345" />
        <location filename="../../ui/windows/trace_window.py" line="346" />
        <source>SIP trace</source>
        <translation>SIP 추적</translation>
    </message>
    <message>
        <location filename="../../ui/windows/trace_window.py" line="354" />
        <source>Filter by first line or peer…</source>
        <translation>첫 줄이나 상대로 거르기…</translation>
    </message>
    <message>
        <location filename="../../ui/windows/trace_window.py" line="356" />
        <source>Filter</source>
        <translation>필터</translation>
    </message>
    <message>
        <location filename="../../ui/windows/trace_window.py" line="357" />
        <location filename="../../ui/windows/trace_window.py" line="358" />
        <source>Search whole message</source>
        <translation>메시지 전체에서 찾기</translation>
    </message>
    <message>
        <location filename="../../ui/windows/trace_window.py" line="363" />
        <source>Kind of message</source>
        <translation>메시지 종류</translation>
    </message>
    <message>
        <location filename="../../ui/windows/trace_window.py" line="365" />
        <source>Message count</source>
        <translation>메시지 수</translation>
    </message>
    <message>
        <location filename="../../ui/windows/trace_window.py" line="367" />
        <source>&amp;Copy</source>
        <translation>복사(&amp;C)</translation>
    </message>
    <message>
        <location filename="../../ui/windows/trace_window.py" line="369" />
        <source>Copy the selected messages</source>
        <translation>선택한 메시지 복사</translation>
    </message>
    <message>
        <location filename="../../ui/windows/trace_window.py" line="371" />
        <source>C&amp;lear</source>
        <translation>지우기(&amp;L)</translation>
    </message>
    <message>
        <location filename="../../ui/windows/trace_window.py" line="372" />
        <source>Forget every message in this window</source>
        <translation>이 창의 메시지를 모두 지웁니다</translation>
    </message>
    <message>
        <location filename="../../ui/windows/trace_window.py" line="379" />
        <source>Copy</source>
        <translation>복사</translation>
    </message>
    <message>
        <location filename="../../ui/windows/trace_window.py" line="382" />
        <source>Clear</source>
        <translation>지우기</translation>
    </message>
    <message>
        <location filename="../../ui/windows/trace_window.py" line="386" />
        <source>Messages</source>
        <translation>메시지</translation>
    </message>
    <message>
        <location filename="../../ui/windows/trace_window.py" line="413" />
        <source>Select a message to see it in full.</source>
        <translation>메시지를 고르면 전체 내용이 보입니다.</translation>
    </message>
    <message>
        <location filename="../../ui/windows/trace_window.py" line="414" />
        <source>Message text</source>
        <translation>메시지 내용</translation>
    </message>
    <message>
        <location filename="../../ui/windows/trace_window.py" line="525" />
        <source>{shown} of 1 message shown</source>
        <translation>메시지 1개 중 {shown}개 표시</translation>
    </message>
    <message>
        <location filename="../../ui/windows/trace_window.py" line="527" />
        <source>{shown} of {total} messages shown</source>
        <translation>메시지 {total}개 중 {shown}개 표시</translation>
    </message>
    <message>
        <location filename="../../ui/windows/trace_window.py" line="529" />
        <source>1 message</source>
        <translation>메시지 1개</translation>
    </message>
    <message>
        <location filename="../../ui/windows/trace_window.py" line="531" />
        <source>{total} messages</source>
        <translation>메시지 {total}개</translation>
    </message>
    <message>
        <location filename="../../ui/windows/trace_window.py" line="533" />
        <source>{count} (the oldest are dropped beyond {capacity})</source>
        <translation>{count} ({capacity}개를 넘으면 오래된 것부터 버립니다)</translation>
    </message>
</context>
<context>
    <name>Tray</name>
    <message>
        <location filename="../../ui/windows/tray.py" line="102" />
        <source>&amp;Show Softphone</source>
        <extracomment>Longer message text is cut in a notification: the conversation has it all. How long a notification stays up, in milliseconds (the desktop may differ). The peer&apos;s AoR: clicking the notification opens this conversation. The user clicked a message notification: open this peer&apos;s conversation. The user chose Quit in the tray menu. The user clicked the tray icon or chose Show. The last balloon asked for (title, body), shown or not. Desktop notifications; the tray&apos;s balloon when there is no server.</extracomment>
        <translation>Softphone 보이기(&amp;S)</translation>
    </message>
    <message>
        <location filename="../../ui/windows/tray.py" line="105" />
        <source>&amp;Quit</source>
        <translation>끝내기(&amp;Q)</translation>
    </message>
    <message>
        <location filename="../../ui/windows/tray.py" line="177" />
        <source>Softphone: 1 unread message</source>
        <translation>Softphone: 읽지 않은 메시지 1개</translation>
    </message>
    <message>
        <location filename="../../ui/windows/tray.py" line="179" />
        <source>Softphone: {count} unread messages</source>
        <translation>Softphone: 읽지 않은 메시지 {count}개</translation>
    </message>
</context>
<context>
    <name>buddies</name>
    <message>
        <location filename="../../ui/models/buddies.py" line="46" />
        <location filename="../../ui/models/buddies.py" line="95" />
        <source>online</source>
        <extracomment>BuddyStatus values (softphone.services.presence); kept as text here so the list works before and without the presence service.</extracomment>
        <translation>온라인</translation>
    </message>
    <message>
        <location filename="../../ui/models/buddies.py" line="47" />
        <source>offline</source>
        <translation>오프라인</translation>
    </message>
    <message>
        <location filename="../../ui/models/buddies.py" line="49" />
        <source>waiting for authorization</source>
        <translation>승인을 기다리는 중</translation>
    </message>
    <message>
        <location filename="../../ui/models/buddies.py" line="50" />
        <source>not allowed to see this buddy</source>
        <translation>이 친구의 상태를 볼 수 없습니다</translation>
    </message>
    <message>
        <location filename="../../ui/models/buddies.py" line="51" />
        <source>unknown user</source>
        <translation>없는 사용자</translation>
    </message>
    <message>
        <location filename="../../ui/models/buddies.py" line="90" />
        <location filename="../../ui/models/buddies.py" line="160" />
        <source>typing…</source>
        <extracomment>The conversation&apos;s last message (&quot;&quot; when there is none) and its time. The buddy is composing a message to us (RFC 3994); never stored.</extracomment>
        <translation>입력 중…</translation>
    </message>
    <message>
        <location filename="../../ui/models/buddies.py" line="94" />
        <source>on {count} devices</source>
        <translation>기기 {count}대에서 접속 중</translation>
    </message>
    <message>
        <location filename="../../ui/models/buddies.py" line="97" />
        <source>last seen {when}</source>
        <translation>마지막 접속 {when}</translation>
    </message>
    <message>
        <location filename="../../ui/models/buddies.py" line="110" />
        <source>You: {text}</source>
        <translation>나: {text}</translation>
    </message>
    <message>
        <location filename="../../ui/delegates/buddy.py" line="30" />
        <source>Draft:</source>
        <extracomment>Put before a conversation&apos;s unsent text in the list.</extracomment>
        <translation>임시 저장:</translation>
    </message>
</context>
<context>
    <name>conversation</name>
    <message>
        <location filename="../../ui/models/conversation.py" line="56" />
        <source>Received {when}</source>
        <extracomment>Messages read per page. Messages from one side closer together than this are drawn as a group. The date separator (&quot;Today&quot;, &quot;Monday 23 November&quot;), when the day changes here. The &quot;New messages&quot; line: the first message the user has not read. Follows a message from the same side shortly before: drawn close to it.</extracomment>
        <translation>받은 시각 {when}</translation>
    </message>
    <message>
        <location filename="../../ui/models/conversation.py" line="58" />
        <source>{state}
Sent {when}</source>
        <translation>{state}
보낸 시각 {when}</translation>
    </message>
    <message>
        <location filename="../../ui/models/conversation.py" line="76" />
        <source>{state} at {time}</source>
        <translation>{state} ({time})</translation>
    </message>
    <message>
        <location filename="../../ui/models/conversation.py" line="106" />
        <source>Not sent: {reason}. Will try again at {time}</source>
        <translation>보내지 못함: {reason}. {time}에 다시 보냅니다</translation>
    </message>
    <message>
        <location filename="../../ui/models/conversation.py" line="110" />
        <source>Not sent: {reason}. Gave up after {hours} hours</source>
        <translation>보내지 못함: {reason}. {hours}시간 동안 시도한 뒤 포기했습니다</translation>
    </message>
    <message>
        <location filename="../../ui/models/conversation.py" line="113" />
        <source>Not sent: {reason}</source>
        <translation>보내지 못함: {reason}</translation>
    </message>
    <message>
        <location filename="../../ui/models/conversation.py" line="116" />
        <source>Declined: {reason}</source>
        <translation>거절됨: {reason}</translation>
    </message>
    <message>
        <location filename="../../ui/models/conversation.py" line="124" />
        <source>Waiting for the earlier message to go first</source>
        <translation>앞의 메시지가 먼저 가기를 기다리는 중</translation>
    </message>
    <message>
        <location filename="../../ui/models/conversation.py" line="120" />
        <source>Waiting for the connection</source>
        <translation>연결을 기다리는 중</translation>
    </message>
    <message>
        <location filename="../../ui/models/conversation.py" line="121" />
        <source>Sending…</source>
        <translation>보내는 중…</translation>
    </message>
    <message>
        <location filename="../../ui/delegates/message_bubble.py" line="223" />
        <source>Retry</source>
        <extracomment>Widest a bubble gets, as a fraction of the view. Space between the text and the time line. How much of the highlight colour a sent bubble takes over the base, and how much of the text colour a received one does: drawn from the palette, so light and dark themes both read well. Height of a date separator or the &quot;New messages&quot; line. Top margin of a bubble that follows one from the same side. States a click on the icon or the Retry button retries. Padding inside the Retry button, each side of its label. Sizes kept before the size cache starts over (resizing makes new widths). Laid-out bubbles kept for painting: a few screens&apos; worth, since each holds a text layout with its glyphs. The line under the text (&quot;Not sent: …&quot;, &quot;Sending…&quot;; &quot;&quot; for none). Whether the bubble carries a Retry button. The time, laid out once: drawing static text skips shaping it again. The date separator&apos;s text and where it goes (None: no separator). Where the &quot;New messages&quot; line goes (None: not here). The status line, laid out, and where it goes (None: no line). The Retry button (None: no button). The links in the text (`ui.delegates.bubble_links`), drawn underlined. QTextLayout breaks lines only at U+2028 LINE SEPARATOR; a newline would be drawn as nothing and join the lines around it.</extracomment>
        <translation>다시 보내기</translation>
    </message>
    <message>
        <location filename="../../ui/delegates/message_bubble.py" line="485" />
        <source>New messages</source>
        <extracomment>What decides a bubble&apos;s layout besides its text: (id, width, marks, status line, Retry button). The user clicked the red mark of a failed or declined message.</extracomment>
        <translation>새 메시지</translation>
    </message>
</context>
<context>
    <name>core</name>
    <message>
        <location filename="../../ui/core_text.py" line="41" />
        <source>Not registered</source>
        <extracomment>The translation context of the core&apos;s sentences. Every template the core&apos;s ``say(...)`` calls use (checked by a test).</extracomment>
        <translation>등록되지 않음</translation>
    </message>
    <message>
        <location filename="../../ui/core_text.py" line="42" />
        <source>Registering as {who}…</source>
        <translation>{who}(으)로 등록하는 중…</translation>
    </message>
    <message>
        <location filename="../../ui/core_text.py" line="43" />
        <source>Registered as {who}</source>
        <translation>{who}(으)로 등록됨</translation>
    </message>
    <message>
        <location filename="../../ui/core_text.py" line="44" />
        <source>Registered as {who} (via {server})</source>
        <translation>{who}(으)로 등록됨 ({server} 경유)</translation>
    </message>
    <message>
        <location filename="../../ui/core_text.py" line="45" />
        <source>Registered as {who} (via {server}, {transport})</source>
        <translation>{who}(으)로 등록됨 ({server}, {transport} 경유)</translation>
    </message>
    <message>
        <location filename="../../ui/core_text.py" line="46" />
        <source>Connection to {server} lost ({reason}), trying again…</source>
        <translation>{server} 연결이 끊겼습니다 ({reason}). 다시 시도하는 중…</translation>
    </message>
    <message>
        <location filename="../../ui/core_text.py" line="47" />
        <source>Connection to {server} lost</source>
        <translation>{server} 연결이 끊겼습니다</translation>
    </message>
    <message>
        <location filename="../../ui/core_text.py" line="48" />
        <source>No answer from {server} after {seconds} s</source>
        <translation>{server}에서 {seconds}초 동안 응답이 없습니다</translation>
    </message>
    <message>
        <location filename="../../ui/core_text.py" line="49" />
        <source>Cannot reach {server} ({reason})</source>
        <translation>{server}에 연결할 수 없습니다 ({reason})</translation>
    </message>
    <message>
        <location filename="../../ui/core_text.py" line="50" />
        <source>Wrong credentials (the server refused them)</source>
        <translation>계정 정보가 틀렸습니다 (서버가 거부함)</translation>
    </message>
    <message>
        <location filename="../../ui/core_text.py" line="51" />
        <source>Wrong credentials ({code} {reason})</source>
        <translation>계정 정보가 틀렸습니다 ({code} {reason})</translation>
    </message>
    <message>
        <location filename="../../ui/core_text.py" line="52" />
        <source>Wrong credentials ({code})</source>
        <translation>계정 정보가 틀렸습니다 ({code})</translation>
    </message>
    <message>
        <location filename="../../ui/core_text.py" line="53" />
        <source>The server asks for a password ({code})</source>
        <translation>서버가 비밀번호를 요구합니다 ({code})</translation>
    </message>
    <message>
        <location filename="../../ui/core_text.py" line="54" />
        <source>Unknown user ({code} {reason})</source>
        <translation>없는 사용자입니다 ({code} {reason})</translation>
    </message>
    <message>
        <location filename="../../ui/core_text.py" line="55" />
        <source>Server refused: {code} {reason}</source>
        <translation>서버가 거부했습니다: {code} {reason}</translation>
    </message>
    <message>
        <location filename="../../ui/core_text.py" line="56" />
        <source>{problem}, trying again in {seconds} s</source>
        <translation>{problem}, {seconds}초 뒤 다시 시도</translation>
    </message>
    <message>
        <location filename="../../ui/core_text.py" line="57" />
        <source>Trying {server}…</source>
        <translation>{server}에 연결하는 중…</translation>
    </message>
    <message>
        <location filename="../../ui/core_text.py" line="59" />
        <source>online on {count} device</source>
        <translation>온라인 (기기 {count}대)</translation>
    </message>
    <message>
        <location filename="../../ui/core_text.py" line="60" />
        <source>online on {count} devices</source>
        <translation>온라인 (기기 {count}대)</translation>
    </message>
    <message>
        <location filename="../../ui/core_text.py" line="61" />
        <source>offline</source>
        <translation>오프라인</translation>
    </message>
    <message>
        <location filename="../../ui/core_text.py" line="62" />
        <source>offline, last seen {when}</source>
        <translation>오프라인, 마지막 접속 {when}</translation>
    </message>
    <message>
        <location filename="../../ui/core_text.py" line="63" />
        <source>unknown (server unreachable)</source>
        <translation>알 수 없음 (서버에 연결할 수 없음)</translation>
    </message>
    <message>
        <location filename="../../ui/core_text.py" line="64" />
        <source>unknown (server unreachable), last seen {when}</source>
        <translation>알 수 없음 (서버에 연결할 수 없음), 마지막 접속 {when}</translation>
    </message>
    <message>
        <location filename="../../ui/core_text.py" line="65" />
        <source>unknown (reconnecting)</source>
        <translation>알 수 없음 (다시 연결하는 중)</translation>
    </message>
    <message>
        <location filename="../../ui/core_text.py" line="66" />
        <source>unknown (reconnecting), last seen {when}</source>
        <translation>알 수 없음 (다시 연결하는 중), 마지막 접속 {when}</translation>
    </message>
    <message>
        <location filename="../../ui/core_text.py" line="67" />
        <source>not allowed ({why})</source>
        <translation>볼 수 없음 ({why})</translation>
    </message>
    <message>
        <location filename="../../ui/core_text.py" line="68" />
        <source>unknown user ({why})</source>
        <translation>없는 사용자 ({why})</translation>
    </message>
    <message>
        <location filename="../../ui/core_text.py" line="69" />
        <source>unknown: {why}</source>
        <translation>알 수 없음: {why}</translation>
    </message>
    <message>
        <location filename="../../ui/core_text.py" line="70" />
        <source>unknown: subscription ended ({why})</source>
        <translation>알 수 없음: 구독이 끝남 ({why})</translation>
    </message>
    <message>
        <location filename="../../ui/core_text.py" line="71" />
        <source>unknown: subscription ended ({why}), retrying in {seconds} s</source>
        <translation>알 수 없음: 구독이 끝남 ({why}), {seconds}초 뒤 다시 시도</translation>
    </message>
    <message>
        <location filename="../../ui/core_text.py" line="72" />
        <source>waiting for authorization</source>
        <translation>승인을 기다리는 중</translation>
    </message>
    <message>
        <location filename="../../ui/core_text.py" line="73" />
        <source>subscribing…</source>
        <translation>구독하는 중…</translation>
    </message>
    <message>
        <location filename="../../ui/core_text.py" line="74" />
        <source>subscribed</source>
        <translation>구독함</translation>
    </message>
    <message>
        <location filename="../../ui/core_text.py" line="75" />
        <source>not watched</source>
        <translation>지켜보지 않음</translation>
    </message>
    <message>
        <location filename="../../ui/core_text.py" line="77" />
        <source>Type an address like bob@example.com</source>
        <translation>bob@example.com 같은 주소를 입력하세요</translation>
    </message>
    <message>
        <location filename="../../ui/core_text.py" line="78" />
        <source>{text} is not a SIP address: {reason}</source>
        <translation>{text}은(는) SIP 주소가 아닙니다: {reason}</translation>
    </message>
    <message>
        <location filename="../../ui/core_text.py" line="79" />
        <source>{text} has no user part; type an address like bob@example.com</source>
        <translation>{text}에 사용자 부분이 없습니다. bob@example.com 같은 주소를 입력하세요</translation>
    </message>
    <message>
        <location filename="../../ui/core_text.py" line="81" />
        <source>The link is too long to open ({length} characters; at most {limit}).</source>
        <translation>링크가 너무 길어서 열 수 없습니다 ({length}자, 최대 {limit}자).</translation>
    </message>
    <message>
        <location filename="../../ui/core_text.py" line="84" />
        <source>Softphone opens only sip: and sips: links, not {scheme}: links.</source>
        <translation>Softphone은 sip:과 sips: 링크만 엽니다. {scheme}: 링크는 열지 않습니다.</translation>
    </message>
    <message>
        <location filename="../../ui/core_text.py" line="87" />
        <source>Softphone opens only sip: and sips: links, not this.</source>
        <translation>Softphone은 sip:과 sips: 링크만 엽니다. 이것은 열지 않습니다.</translation>
    </message>
    <message>
        <location filename="../../ui/core_text.py" line="88" />
        <source>The link contains a line break or control character, which could add SIP headers; it was not opened.</source>
        <translation>링크에 SIP 헤더를 덧붙일 수 있는 줄바꿈이나 제어 문자가 있어서 열지 않았습니다.</translation>
    </message>
    <message>
        <location filename="../../ui/core_text.py" line="93" />
        <source>The link is not a valid SIP address: {reason}.</source>
        <translation>링크가 올바른 SIP 주소가 아닙니다: {reason}.</translation>
    </message>
    <message>
        <location filename="../../ui/core_text.py" line="94" />
        <source>The link names no one: it needs an address like sip:alice@example.com.</source>
        <translation>링크에 상대가 없습니다. sip:alice@example.com 같은 주소가 필요합니다.</translation>
    </message>
    <message>
        <location filename="../../ui/core_text.py" line="97" />
        <source>The link contains a password; it was not opened.</source>
        <translation>링크에 비밀번호가 들어 있어서 열지 않았습니다.</translation>
    </message>
    <message>
        <location filename="../../ui/core_text.py" line="98" />
        <source>The link asks to set the {header} header; only a message text (?body=) may come with a link.</source>
        <translation>링크가 {header} 헤더를 설정하려고 합니다. 링크에는 메시지 내용(?body=)만 담을 수 있습니다.</translation>
    </message>
    <message>
        <location filename="../../ui/core_text.py" line="103" />
        <source>The link gives the message text twice.</source>
        <translation>링크에 메시지 내용이 두 번 들어 있습니다.</translation>
    </message>
    <message>
        <location filename="../../ui/core_text.py" line="104" />
        <source>The link&apos;s message text is not valid UTF-8.</source>
        <translation>링크의 메시지 내용이 올바른 UTF-8이 아닙니다.</translation>
    </message>
    <message>
        <location filename="../../ui/core_text.py" line="106" />
        <source>Cannot look up {name}: {problem}</source>
        <translation>{name}을(를) 조회할 수 없습니다: {problem}</translation>
    </message>
    <message>
        <location filename="../../ui/core_text.py" line="107" />
        <source>No SIP server found for {name}: {why}</source>
        <translation>{name}의 SIP 서버를 찾지 못했습니다: {why}</translation>
    </message>
    <message>
        <location filename="../../ui/core_text.py" line="108" />
        <source>the name has no address</source>
        <translation>이 이름에는 주소가 없음</translation>
    </message>
    <message>
        <location filename="../../ui/core_text.py" line="109" />
        <source>the domain says it offers no SIP service</source>
        <translation>이 도메인은 SIP 서비스를 제공하지 않는다고 알려 옴</translation>
    </message>
    <message>
        <location filename="../../ui/core_text.py" line="110" />
        <source>its SIP servers ({names}) have no address</source>
        <translation>SIP 서버({names})에 주소가 없음</translation>
    </message>
    <message>
        <location filename="../../ui/core_text.py" line="111" />
        <source>the domain has no SIP records</source>
        <translation>이 도메인에는 SIP 레코드가 없음</translation>
    </message>
    <message>
        <location filename="../../ui/core_text.py" line="112" />
        <source>it has no {family} address</source>
        <translation>{family} 주소가 없음</translation>
    </message>
    <message>
        <location filename="../../ui/core_text.py" line="113" />
        <source>this computer has no DNS server configured</source>
        <translation>이 컴퓨터에 설정된 DNS 서버가 없음</translation>
    </message>
    <message>
        <location filename="../../ui/core_text.py" line="114" />
        <source>no DNS server</source>
        <translation>DNS 서버가 없음</translation>
    </message>
    <message>
        <location filename="../../ui/core_text.py" line="115" />
        <source>the DNS server did not answer</source>
        <translation>DNS 서버가 응답하지 않음</translation>
    </message>
    <message>
        <location filename="../../ui/core_text.py" line="116" />
        <source>the DNS server at {server} did not answer</source>
        <translation>{server}의 DNS 서버가 응답하지 않음</translation>
    </message>
    <message>
        <location filename="../../ui/core_text.py" line="117" />
        <source>the DNS server refused or failed the lookup</source>
        <translation>DNS 서버가 조회를 거부했거나 실패함</translation>
    </message>
    <message>
        <location filename="../../ui/core_text.py" line="118" />
        <source>the DNS server at {server} refused or failed the lookup</source>
        <translation>{server}의 DNS 서버가 조회를 거부했거나 실패함</translation>
    </message>
    <message>
        <location filename="../../ui/core_text.py" line="119" />
        <source>the DNS lookup failed ({error})</source>
        <translation>DNS 조회 실패 ({error})</translation>
    </message>
    <message>
        <location filename="../../ui/core_text.py" line="120" />
        <source>{text} is not a host or host:port</source>
        <translation>{text}은(는) 호스트나 호스트:포트 형식이 아님</translation>
    </message>
    <message>
        <location filename="../../ui/core_text.py" line="121" />
        <source>{text} has no host</source>
        <translation>{text}에 호스트가 없음</translation>
    </message>
    <message>
        <location filename="../../ui/core_text.py" line="122" />
        <source>{text} is not a port number</source>
        <translation>{text}은(는) 포트 번호가 아님</translation>
    </message>
    <message>
        <location filename="../../ui/core_text.py" line="123" />
        <source>No server to subscribe at</source>
        <translation>구독할 서버가 없음</translation>
    </message>
    <message>
        <location filename="../../ui/core_text.py" line="124" />
        <source>No server to send the request to</source>
        <translation>요청을 보낼 서버가 없음</translation>
    </message>
    <message>
        <location filename="../../ui/core_text.py" line="126" />
        <source>The address of record must look like sip:alice@example.com</source>
        <translation>계정 주소는 sip:alice@example.com 같은 형식이어야 합니다</translation>
    </message>
    <message>
        <location filename="../../ui/core_text.py" line="127" />
        <source>The address of record must look like sip:alice@example.com, not {value}</source>
        <translation>계정 주소는 sip:alice@example.com 같은 형식이어야 합니다. {value}은(는) 쓸 수 없습니다</translation>
    </message>
    <message>
        <location filename="../../ui/core_text.py" line="130" />
        <source>Enter the address of record, like sip:alice@example.com</source>
        <translation>sip:alice@example.com 같은 계정 주소를 입력하세요</translation>
    </message>
    <message>
        <location filename="../../ui/core_text.py" line="131" />
        <source>Display name</source>
        <translation>표시 이름</translation>
    </message>
    <message>
        <location filename="../../ui/core_text.py" line="132" />
        <source>User name</source>
        <translation>사용자 이름</translation>
    </message>
    <message>
        <location filename="../../ui/core_text.py" line="133" />
        <source>{what} must be text, not {value}</source>
        <translation>{what}은(는) 글자여야 합니다. {value}은(는) 쓸 수 없습니다</translation>
    </message>
    <message>
        <location filename="../../ui/core_text.py" line="134" />
        <source>{what} must be one line of text</source>
        <translation>{what}은(는) 한 줄이어야 합니다</translation>
    </message>
    <message>
        <location filename="../../ui/core_text.py" line="135" />
        <source>The registrar</source>
        <translation>등록 서버</translation>
    </message>
    <message>
        <location filename="../../ui/core_text.py" line="136" />
        <source>The outbound proxy</source>
        <translation>아웃바운드 프록시</translation>
    </message>
    <message>
        <location filename="../../ui/core_text.py" line="137" />
        <source>{what} must be a host name or address with an optional port, like example.com:5060, not {value}</source>
        <translation>{what}은(는) example.com:5060처럼 호스트 이름이나 주소에 포트를 붙일 수 있는 형식이어야 합니다. {value}은(는) 쓸 수 없습니다</translation>
    </message>
    <message>
        <location filename="../../ui/core_text.py" line="142" />
        <source>Transport must be udp, tcp or tls, not {value}</source>
        <translation>전송 방식은 udp, tcp, tls 중 하나여야 합니다. {value}은(는) 쓸 수 없습니다</translation>
    </message>
    <message>
        <location filename="../../ui/core_text.py" line="143" />
        <source>Local port must be a whole number between {low} and {high}</source>
        <translation>로컬 포트는 {low}에서 {high} 사이의 정수여야 합니다</translation>
    </message>
    <message>
        <location filename="../../ui/core_text.py" line="144" />
        <source>The registration time must be a whole number of seconds between {low} and {high}</source>
        <translation>등록 유지 시간은 {low}초에서 {high}초 사이의 정수여야 합니다</translation>
    </message>
    <message>
        <location filename="../../ui/core_text.py" line="148" />
        <source>Sending read receipts must be true or false</source>
        <translation>읽음 확인 보내기는 true 또는 false여야 합니다</translation>
    </message>
    <message>
        <location filename="../../ui/core_text.py" line="149" />
        <source>Asking for read receipts must be true or false</source>
        <translation>읽음 확인 요청하기는 true 또는 false여야 합니다</translation>
    </message>
    <message>
        <location filename="../../ui/core_text.py" line="150" />
        <source>Accepting direct messages must be true or false</source>
        <translation>직접 보낸 메시지 받기는 true 또는 false여야 합니다</translation>
    </message>
    <message>
        <location filename="../../ui/core_text.py" line="151" />
        <source>The DNS server must be text, not {value}</source>
        <translation>DNS 서버는 글자여야 합니다. {value}은(는) 쓸 수 없습니다</translation>
    </message>
    <message>
        <location filename="../../ui/core_text.py" line="152" />
        <source>The DNS server must be an IP address with an optional port, like 192.0.2.53 or [2001:db8::53]:5353, not {value}</source>
        <translation>DNS 서버는 192.0.2.53이나 [2001:db8::53]:5353처럼 IP 주소에 포트를 붙일 수 있는 형식이어야 합니다. {value}은(는) 쓸 수 없습니다</translation>
    </message>
    <message>
        <location filename="../../ui/core_text.py" line="157" />
        <source>The keep-alive interval must be 0 (off) or a whole number of seconds between {low} and {high}</source>
        <translation>연결 유지 간격은 0(끄기)이거나 {low}초에서 {high}초 사이의 정수여야 합니다</translation>
    </message>
    <message>
        <location filename="../../ui/core_text.py" line="162" />
        <source>The password variable must be an environment variable name like SOFTPHONE_PASSWORD, not {value}</source>
        <translation>비밀번호 변수는 SOFTPHONE_PASSWORD 같은 환경 변수 이름이어야 합니다. {value}은(는) 쓸 수 없습니다</translation>
    </message>
    <message>
        <location filename="../../ui/core_text.py" line="167" />
        <source>The settings file {path} cannot be read: {error}</source>
        <translation>설정 파일 {path}을(를) 읽을 수 없습니다: {error}</translation>
    </message>
    <message>
        <location filename="../../ui/core_text.py" line="168" />
        <source>The settings file {path} is not valid TOML: {error}</source>
        <translation>설정 파일 {path}이(가) 올바른 TOML이 아닙니다: {error}</translation>
    </message>
    <message>
        <location filename="../../ui/core_text.py" line="169" />
        <source>The settings file {path} has no [account] section</source>
        <translation>설정 파일 {path}에 [account] 부분이 없습니다</translation>
    </message>
    <message>
        <location filename="../../ui/core_text.py" line="170" />
        <source>The settings file holds a password, which does not belong there: remove it; Softphone keeps the password in the keyring, or asks for it</source>
        <translation>설정 파일에 비밀번호가 들어 있습니다. 비밀번호는 거기에 두면 안 되니 지우세요. Softphone은 비밀번호를 키링에 보관하거나 시작할 때 묻습니다</translation>
    </message>
    <message>
        <location filename="../../ui/core_text.py" line="175" />
        <source>Unknown setting {name} in the [account] section</source>
        <translation>[account] 부분에 알 수 없는 설정 {name}이(가) 있습니다</translation>
    </message>
    <message>
        <location filename="../../ui/core_text.py" line="176" />
        <source>The settings file has no address of record</source>
        <translation>설정 파일에 계정 주소가 없습니다</translation>
    </message>
    <message>
        <location filename="../../ui/core_text.py" line="177" />
        <source>The keyring backend {backend} would keep the password in a plain file or not at all, so it is not stored; use the desktop&apos;s keyring (Secret Service, KWallet, macOS Keychain, Windows Credential Locker), or keep the password in an environment variable</source>
        <translation>키링 백엔드 {backend}은(는) 비밀번호를 일반 파일에 두거나 아예 보관하지 않으므로 저장하지 않았습니다. 데스크톱의 키링(Secret Service, KWallet, macOS 키체인, Windows 자격 증명 관리자)을 쓰거나 비밀번호를 환경 변수에 두세요</translation>
    </message>
    <message>
        <location filename="../../ui/core_text.py" line="184" />
        <source>No keyring is available to keep the password; keep it in an environment variable instead</source>
        <translation>비밀번호를 보관할 키링이 없습니다. 대신 환경 변수에 두세요</translation>
    </message>
    <message>
        <location filename="../../ui/core_text.py" line="189" />
        <source>The keyring refused to keep the password: {error}</source>
        <translation>키링이 비밀번호 보관을 거부했습니다: {error}</translation>
    </message>
    <message>
        <location filename="../../ui/core_text.py" line="190" />
        <source>There is no settings file at {path}</source>
        <translation>{path}에 설정 파일이 없습니다</translation>
    </message>
    <message>
        <location filename="../../ui/core_text.py" line="191" />
        <source>The settings file {path} is not usable: {problem}</source>
        <translation>설정 파일 {path}을(를) 쓸 수 없습니다: {problem}</translation>
    </message>
    <message>
        <location filename="../../ui/core_text.py" line="192" />
        <source>No account is set up: give --aor sip:alice@example.com (and --password-env), or set one up in the app</source>
        <translation>설정된 계정이 없습니다. --aor sip:alice@example.com (그리고 --password-env)을 주거나 앱에서 계정을 설정하세요</translation>
    </message>
    <message>
        <location filename="../../ui/core_text.py" line="197" />
        <source>The environment variable {name}, which should hold the password for {address}, is empty; put the password in it</source>
        <translation>{address}의 비밀번호가 들어 있어야 할 환경 변수 {name}이(가) 비어 있습니다. 비밀번호를 넣으세요</translation>
    </message>
    <message>
        <location filename="../../ui/core_text.py" line="202" />
        <source>The environment variable {name}, which should hold the password for {address}, is not set, and the keyring holds no password for it either</source>
        <translation>{address}의 비밀번호가 들어 있어야 할 환경 변수 {name}이(가) 설정되어 있지 않고, 키링에도 비밀번호가 없습니다</translation>
    </message>
    <message>
        <location filename="../../ui/core_text.py" line="207" />
        <source>The data folder cannot be used: {error}</source>
        <translation>데이터 폴더를 쓸 수 없습니다: {error}</translation>
    </message>
    <message>
        <location filename="../../ui/core_text.py" line="208" />
        <source>The message database {path} is a folder; give a file with --db</source>
        <translation>메시지 데이터베이스 {path}은(는) 폴더입니다. --db로 파일을 지정하세요</translation>
    </message>
    <message>
        <location filename="../../ui/core_text.py" line="209" />
        <source>{problem}; give another file with --db</source>
        <translation>{problem}. --db로 다른 파일을 지정하세요</translation>
    </message>
    <message>
        <location filename="../../ui/core_text.py" line="210" />
        <source>The message database {path} cannot be opened: {error}</source>
        <translation>메시지 데이터베이스 {path}을(를) 열 수 없습니다: {error}</translation>
    </message>
    <message>
        <location filename="../../ui/core_text.py" line="219" />
        <source>written and stored, waiting to be sent</source>
        <extracomment>Sentences the store keeps in English (a message&apos;s timeline, `softphone.services.timeline`), translated when shown by matching them against these templates.</extracomment>
        <translation>저장함, 보내기를 기다리는 중</translation>
    </message>
    <message>
        <location filename="../../ui/core_text.py" line="220" />
        <source>received and stored</source>
        <translation>받아서 저장함</translation>
    </message>
    <message>
        <location filename="../../ui/core_text.py" line="221" />
        <source>MESSAGE as {kind} (CSeq {cseq}) to {address} over {transport}</source>
        <translation>{address}(으)로 {transport}를 통해 MESSAGE 보냄 ({kind}, CSeq {cseq})</translation>
    </message>
    <message>
        <location filename="../../ui/core_text.py" line="222" />
        <source>{code} {reason} from {address} over {transport}</source>
        <translation>{address}에서 {transport}로 받은 응답: {code} {reason}</translation>
    </message>
    <message>
        <location filename="../../ui/core_text.py" line="223" />
        <source>receipt: {what}</source>
        <translation>수신 확인: {what}</translation>
    </message>
    <message>
        <location filename="../../ui/core_text.py" line="224" />
        <source>receipt: {what}; state unchanged</source>
        <translation>수신 확인: {what}. 상태는 그대로</translation>
    </message>
    <message>
        <location filename="../../ui/core_text.py" line="225" />
        <source>receipt: {what} (sent {when})</source>
        <translation>수신 확인: {what} (보낸 시각 {when})</translation>
    </message>
    <message>
        <location filename="../../ui/core_text.py" line="226" />
        <source>receipt: {what} (sent {when}); state unchanged</source>
        <translation>수신 확인: {what} (보낸 시각 {when}). 상태는 그대로</translation>
    </message>
    <message>
        <location filename="../../ui/core_text.py" line="228" />
        <source>{state}; will try again at {time}</source>
        <translation>{state}. {time}에 다시 보냅니다</translation>
    </message>
    <message>
        <location filename="../../ui/core_text.py" line="229" />
        <source>{state}; no more automatic resends (a day after the first attempt)</source>
        <translation>{state}. 더는 자동으로 다시 보내지 않습니다 (첫 시도 뒤 하루가 지남)</translation>
    </message>
    <message>
        <location filename="../../ui/core_text.py" line="233" />
        <source>kept back until the earlier message is sent again, so they arrive in order</source>
        <translation>앞의 메시지가 다시 보내질 때까지 기다림 (쓴 순서대로 도착하도록)</translation>
    </message>
    <message>
        <location filename="../../ui/core_text.py" line="241" />
        <source>connection closed by peer</source>
        <extracomment>Why a connection or a request failed, as this program&apos;s transports, its transactions and the keep-alive say it in English (softphone/transport/, softphone/agent.py, softphone/keepalive.py): the reason inside &quot;Connection to ... lost (...)&quot;, translated by matching (a test checks each against the code).</extracomment>
        <translation>상대가 연결을 닫음</translation>
    </message>
    <message>
        <location filename="../../ui/core_text.py" line="242" />
        <source>connection lost: {error}</source>
        <translation>연결이 끊어짐: {error}</translation>
    </message>
    <message>
        <location filename="../../ui/core_text.py" line="243" />
        <source>connection refused</source>
        <translation>연결이 거부됨</translation>
    </message>
    <message>
        <location filename="../../ui/core_text.py" line="244" />
        <source>connection error</source>
        <translation>연결 오류</translation>
    </message>
    <message>
        <location filename="../../ui/core_text.py" line="245" />
        <source>no answer to the connection</source>
        <translation>연결 요청에 응답이 없음</translation>
    </message>
    <message>
        <location filename="../../ui/core_text.py" line="246" />
        <source>cannot connect: {error}</source>
        <translation>연결할 수 없음: {error}</translation>
    </message>
    <message>
        <location filename="../../ui/core_text.py" line="247" />
        <source>too many open connections</source>
        <translation>열린 연결이 너무 많음</translation>
    </message>
    <message>
        <location filename="../../ui/core_text.py" line="248" />
        <source>the server&apos;s certificate cannot be trusted (certificate verify failed: {why})</source>
        <translation>서버 인증서를 신뢰할 수 없음 (인증서 확인 실패: {why})</translation>
    </message>
    <message>
        <location filename="../../ui/core_text.py" line="252" />
        <source>no answer after {seconds} s</source>
        <translation>{seconds}초 동안 응답이 없음</translation>
    </message>
    <message>
        <location filename="../../ui/core_text.py" line="253" />
        <source>the agent was closed</source>
        <translation>앱이 SIP 연결을 닫음</translation>
    </message>
    <message>
        <location filename="../../ui/core_text.py" line="254" />
        <source>no answer to a keep-alive within {seconds} s</source>
        <translation>{seconds}초 안에 연결 유지 신호에 응답이 없음</translation>
    </message>
    <message>
        <location filename="../../ui/core_text.py" line="255" />
        <source>no answer from the server within {seconds} s</source>
        <translation>{seconds}초 안에 서버 응답이 없음</translation>
    </message>
    <message>
        <location filename="../../ui/core_text.py" line="256" />
        <source>no {transport} transport</source>
        <translation>{transport} 전송 방식을 쓸 수 없음</translation>
    </message>
    <message>
        <location filename="../../ui/core_text.py" line="274" />
        <source>queued</source>
        <extracomment>The field of a core template that holds one of `REASONS` (this program&apos;s own words, never a server&apos;s reason phrase, which stays as it came). Fields of a sentence said in English that are themselves the core&apos;s sentences. The steps of a message&apos;s timeline (`Store.events` kinds).</extracomment>
        <translation>대기</translation>
    </message>
    <message>
        <location filename="../../ui/core_text.py" line="275" />
        <source>sent</source>
        <translation>보냄</translation>
    </message>
    <message>
        <location filename="../../ui/core_text.py" line="276" />
        <source>response</source>
        <translation>응답</translation>
    </message>
    <message>
        <location filename="../../ui/core_text.py" line="277" />
        <source>state</source>
        <translation>상태</translation>
    </message>
    <message>
        <location filename="../../ui/core_text.py" line="278" />
        <source>receipt</source>
        <translation>수신 확인</translation>
    </message>
    <message>
        <location filename="../../ui/core_text.py" line="279" />
        <source>stored</source>
        <translation>저장</translation>
    </message>
    <message>
        <location filename="../../ui/core_text.py" line="284" />
        <source>waiting to be sent</source>
        <extracomment>The first words of a message&apos;s state (&quot;failed&quot;, &quot;delivered to ...&quot;).</extracomment>
        <translation>보내기를 기다리는 중</translation>
    </message>
    <message>
        <location filename="../../ui/core_text.py" line="285" />
        <source>sending</source>
        <translation>보내는 중</translation>
    </message>
    <message>
        <location filename="../../ui/core_text.py" line="286" />
        <source>delivered to the recipient&apos;s device</source>
        <translation>받는 사람의 기기에 전달됨</translation>
    </message>
    <message>
        <location filename="../../ui/core_text.py" line="287" />
        <source>accepted for later delivery</source>
        <translation>나중에 전달하도록 접수됨</translation>
    </message>
    <message>
        <location filename="../../ui/core_text.py" line="288" />
        <source>failed</source>
        <translation>실패</translation>
    </message>
    <message>
        <location filename="../../ui/core_text.py" line="289" />
        <source>declined by recipient</source>
        <translation>받는 사람이 거절함</translation>
    </message>
    <message>
        <location filename="../../ui/core_text.py" line="290" />
        <source>read by the recipient</source>
        <translation>받는 사람이 읽음</translation>
    </message>
    <message>
        <location filename="../../ui/core_text.py" line="295" />
        <source>no answer from the server after {timeout} s</source>
        <extracomment>A local failure&apos;s sentence (`softphone.sip.delivery.failure_reason`).</extracomment>
        <translation>서버에서 {timeout}초 동안 응답이 없음</translation>
    </message>
    <message>
        <location filename="../../ui/core_text.py" line="296" />
        <source>could not reach the server</source>
        <translation>서버에 연결할 수 없음</translation>
    </message>
    <message>
        <location filename="../../ui/core_text.py" line="297" />
        <source>could not find the server&apos;s address</source>
        <translation>서버 주소를 찾을 수 없음</translation>
    </message>
    <message>
        <location filename="../../ui/core_text.py" line="298" />
        <source>message too large to send over UDP (more than 1300 bytes)</source>
        <translation>UDP로 보내기에 너무 큰 메시지 (1300바이트 초과)</translation>
    </message>
    <message>
        <location filename="../../ui/core_text.py" line="301" />
        <source>the server refused the user name or password</source>
        <translation>서버가 사용자 이름이나 비밀번호를 거부함</translation>
    </message>
    <message>
        <location filename="../../ui/core_text.py" line="304" />
        <source>closed before the server answered</source>
        <translation>서버가 응답하기 전에 닫힘</translation>
    </message>
</context>
<context>
    <name>dates</name>
    <message>
        <location filename="../../ui/dates.py" line="32" />
        <source>Today</source>
        <translation>오늘</translation>
    </message>
    <message>
        <location filename="../../ui/dates.py" line="34" />
        <location filename="../../ui/dates.py" line="56" />
        <source>Yesterday</source>
        <translation>어제</translation>
    </message>
    <message>
        <location filename="../../ui/dates.py" line="37" />
        <source>dddd d MMMM</source>
        <translation>M월 d일 dddd</translation>
    </message>
    <message>
        <location filename="../../ui/dates.py" line="38" />
        <source>dddd d MMMM yyyy</source>
        <translation>yyyy년 M월 d일 dddd</translation>
    </message>
    <message>
        <location filename="../../ui/dates.py" line="45" />
        <source>dddd d MMMM yyyy, HH:mm:ss</source>
        <translation>yyyy년 M월 d일 dddd HH:mm:ss</translation>
    </message>
    <message>
        <location filename="../../ui/dates.py" line="61" />
        <source>d MMM</source>
        <translation>M월 d일</translation>
    </message>
    <message>
        <location filename="../../ui/dates.py" line="62" />
        <source>d MMM yyyy</source>
        <translation>yyyy년 M월 d일</translation>
    </message>
</context>
<context>
    <name>desktop</name>
    <message>
        <location filename="../../ui/desktop.py" line="157" />
        <source>The command {command} cannot be written into a menu entry</source>
        <extracomment>PNG sizes for menus and panels that do not draw SVG. The entry the package ships; `entry_text` fills in its Exec line.</extracomment>
        <translation>명령 {command}은(는) 메뉴 항목에 쓸 수 없습니다</translation>
    </message>
    <message>
        <location filename="../../ui/desktop.py" line="211" />
        <source>The icon {path} is not a readable SVG</source>
        <translation>아이콘 {path}은(는) 읽을 수 있는 SVG가 아닙니다</translation>
    </message>
    <message>
        <location filename="../../ui/desktop.py" line="263" />
        <source>The install record {path} is unreadable: {error}</source>
        <extracomment>The command line&apos;s offscreen QGuiApplication, kept alive while it draws.</extracomment>
        <translation>설치 기록 {path}을(를) 읽을 수 없습니다: {error}</translation>
    </message>
    <message>
        <location filename="../../ui/desktop.py" line="317" />
        <source>Cannot write the menu entry: {error}</source>
        <translation>메뉴 항목을 쓸 수 없습니다: {error}</translation>
    </message>
    <message>
        <location filename="../../ui/desktop.py" line="459" />
        <source>Cannot change the start at login: {error}</source>
        <translation>로그인할 때 시작하는 설정을 바꿀 수 없습니다: {error}</translation>
    </message>
</context>
<context>
    <name>links</name>
    <message>
        <location filename="../../ui/links.py" line="37" />
        <source>Link refused</source>
        <translation>열지 않은 링크</translation>
    </message>
</context>
<context>
    <name>main</name>
    <message>
        <location filename="../../ui/main.py" line="294" />
        <source>Cannot open the network port: {error}</source>
        <translation>네트워크 포트를 열 수 없습니다: {error}</translation>
    </message>
    <message>
        <location filename="../../ui/main.py" line="439" />
        <source>The demo server is not part of this build.</source>
        <translation>이 빌드에는 데모 서버가 들어 있지 않습니다.</translation>
    </message>
    <message>
        <location filename="../../ui/main.py" line="453" />
        <source>The demo could not start: {error}</source>
        <translation>데모를 시작하지 못했습니다: {error}</translation>
    </message>
    <message>
        <location filename="../../ui/main.py" line="515" />
        <source>The settings could not be saved: {error}</source>
        <translation>설정을 저장하지 못했습니다: {error}</translation>
    </message>
</context>
</TS>
